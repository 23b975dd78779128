"""Where verification codes go: a pluggable SMS channel named by the PORTAL_SMS_BACKEND setting.

Development logs the message, tests keep it in `outbox`, production posts it to the city's SMS gateway.
"""

import json
import logging
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

from .phone import mask_phone

logger = logging.getLogger(__name__)

# Backends that never reach a phone: production refuses them (portal.accounts checks).
DEVELOPMENT_BACKENDS = {
    "portal.accounts.sms.LoggingSMSBackend",
    "portal.accounts.sms.OutboxSMSBackend",
}

outbox: list[tuple[str, str]] = []


class SMSBackend:
    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class LoggingSMSBackend(SMSBackend):
    """Development: the code appears in the server log."""

    def send(self, phone, text):
        logger.warning("SMS to %s: %s", mask_phone(phone), text)


class OutboxSMSBackend(SMSBackend):
    """Tests: messages collect in `portal.accounts.sms.outbox`."""

    def send(self, phone, text):
        outbox.append((phone, text))


class HttpGatewaySMSBackend(SMSBackend):
    """Posts {"phone", "text"} as JSON to SMS_GATEWAY_URL with a bearer token (SMS_GATEWAY_TOKEN)."""

    def send(self, phone, text):
        request = urllib.request.Request(
            settings.SMS_GATEWAY_URL,
            data=json.dumps({"phone": phone, "text": text}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()


def get_backend() -> SMSBackend:
    return import_string(settings.PORTAL_SMS_BACKEND)()


def send_sms(phone: str, text: str) -> None:
    get_backend().send(phone, text)
