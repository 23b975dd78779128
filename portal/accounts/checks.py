"""Deployment checks for the identity layer: each names the setting to fix."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def identity_settings(app_configs, **kwargs):
    from .identity import DEV_ID_HASH_SECRET
    from .sms import DEVELOPMENT_BACKENDS

    problems = []
    backend = getattr(settings, "PORTAL_SMS_BACKEND", "")
    if not backend or backend in DEVELOPMENT_BACKENDS:
        problems.append(
            Error(
                f"PORTAL_SMS_BACKEND is {backend or 'not set'}: verification codes would never reach a phone.",
                hint="Set PORTAL_SMS_BACKEND to a real SMS backend, e.g. portal.accounts.sms.HttpGatewaySMSBackend "
                "with SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN.",
                id="accounts.E001",
            )
        )
    elif backend == "portal.accounts.sms.HttpGatewaySMSBackend" and not (
        settings.SMS_GATEWAY_URL and settings.SMS_GATEWAY_TOKEN
    ):
        problems.append(
            Error(
                "SMS_GATEWAY_URL or SMS_GATEWAY_TOKEN is not set for the HTTP SMS gateway.",
                hint="Set both in the environment.",
                id="accounts.E002",
            )
        )
    secret = settings.ID_HASH_SECRET
    if secret == DEV_ID_HASH_SECRET or len(secret) < 32:
        problems.append(
            Error(
                "ID_HASH_SECRET is the development default or shorter than 32 characters.",
                hint="Set ID_HASH_SECRET to a random value and never change it: ID fingerprints depend on it.",
                id="accounts.E003",
            )
        )
    return problems
