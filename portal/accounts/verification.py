"""One-time codes sent by SMS for sign-up and password reset."""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from .models import VerificationCode
from .sms import send_sms

logger = logging.getLogger(__name__)
CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5


class CodeNotSent(Exception):
    """A code was asked for too often; the message is meant for the person."""


def _hash(phone: str, code: str) -> str:
    return salted_hmac("portal.accounts.verification", f"{phone}:{code}", algorithm="sha256").hexdigest()


def _cooldown_key(phone: str, purpose: str) -> str:
    return "sms-cooldown:" + salted_hmac("sms-cooldown", f"{phone}:{purpose}").hexdigest()


def _count_ip(ip: str) -> int:
    """Codes asked for from this IP address in the current hour (stops SMS bombing of many numbers)."""
    key = "sms-ip:" + salted_hmac("sms-ip", ip).hexdigest()
    if cache.add(key, 1, 3600):
        return 1
    try:
        return cache.incr(key)
    except ValueError:
        return 1


def send_code(phone: str, purpose: str, ip: str | None = None) -> None:
    """Send a fresh code; at most one a minute per number and purpose."""
    if not cache.add(_cooldown_key(phone, purpose), 1, settings.PORTAL_SMS_COOLDOWN_SECONDS):
        raise CodeNotSent(_("A code was sent to this number a moment ago. Please wait a minute and try again."))
    if ip and _count_ip(ip) > settings.PORTAL_SMS_MAX_PER_IP_PER_HOUR:
        raise CodeNotSent(_("Too many codes were requested from your network. Please try again in an hour."))
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = VerificationCode.objects.create(
        phone=phone,
        purpose=purpose,
        code_hash=_hash(phone, code),
        expires_at=timezone.now() + CODE_TTL,
        requested_ip=ip,
    )
    try:
        send_sms(phone, _("Your verification code is %(code)s. It is valid for 10 minutes.") % {"code": code})
    except Exception as exc:
        logger.exception("SMS backend failed")
        row.delete()
        cache.delete(_cooldown_key(phone, purpose))
        raise CodeNotSent(_("We could not send the code just now. Please try again in a few minutes.")) from exc


def check_code(phone: str, purpose: str, code: str) -> bool:
    """True once for the latest unexpired code; every wrong try counts, five end it."""
    with transaction.atomic():
        latest = (
            VerificationCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        if latest is None or latest.attempts >= MAX_ATTEMPTS:
            return False
        latest.attempts += 1
        if constant_time_compare(latest.code_hash, _hash(phone, (code or "").strip())):
            latest.used_at = timezone.now()
        latest.save(update_fields=["attempts", "used_at"])
        return latest.used_at is not None
