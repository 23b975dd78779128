"""Production: refuses to start with any development secret or backend, naming each one.

What `manage.py check --deploy` reports as an error (portal/core/checks.py, portal/accounts/checks.py)
is refused here already, at import, so gunicorn, daphne and db_worker cannot start with it.
Every variable is listed in docs/deploy.md (tests/portal/test_settings.py compares the two)."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    DEV_ID_HASH_SECRET,
    DEV_SECRET_KEY,
    DEV_SMS_BACKEND,
    DEV_WECHAT_SECRET_KEY,
    ID_HASH_SECRET,
    PORTAL_BASE_DOMAIN,
    PORTAL_SMS_BACKEND,
    REDIS_URL,
    SECRET_KEY,
    SMS_GATEWAY_TOKEN,
    SMS_GATEWAY_URL,
    WECHAT_SECRET_KEYS,
)

DEBUG = os.environ.get("DEBUG", "").lower() in ("1", "true", "yes", "on")
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production: unset the DEBUG environment variable.")
if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in the environment to a random value of at least 50 characters "
        "in production (python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )


def development_leftovers() -> list[str]:
    """Each development secret or backend still in place, as a sentence naming its variable."""
    found = []
    if not ID_HASH_SECRET or ID_HASH_SECRET == DEV_ID_HASH_SECRET or len(ID_HASH_SECRET) < 32:
        found.append(
            "ID_HASH_SECRET is the development value or shorter than 32 characters: set it to a random value "
            "kept for the life of the deployment (it keys the ID-number fingerprints)"
        )
    if PORTAL_SMS_BACKEND in (DEV_SMS_BACKEND, "portal.accounts.sms.OutboxSMSBackend"):
        found.append(
            f"PORTAL_SMS_BACKEND is a development backend ({PORTAL_SMS_BACKEND}) that sends nothing: set it to "
            "portal.accounts.sms.HttpGatewaySMSBackend (or the city's own) so verification codes are sent"
        )
    elif PORTAL_SMS_BACKEND.endswith("HttpGatewaySMSBackend") and not (SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN):
        found.append("SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN must both be set for the HTTP SMS gateway")
    if not WECHAT_SECRET_KEYS or DEV_WECHAT_SECRET_KEY in WECHAT_SECRET_KEYS:
        found.append(
            "WECHAT_SECRET_KEYS is unset or holds the development key: set it to a Fernet key of your own "
            "(it encrypts the Official Accounts' secrets at rest)"
        )
    if PORTAL_BASE_DOMAIN in ("", "localhost"):
        found.append("PORTAL_BASE_DOMAIN is the development localhost: set it to the city's domain")
    if not REDIS_URL:
        found.append("REDIS_URL is not set: the cache, the login throttle and the WebSocket layer would be per process")
    return found


if leftovers := development_leftovers():
    raise ImproperlyConfigured("Production refuses to start: " + "; ".join(leftovers) + ".")

# Keep database connections between requests, SQLite's too: opening one (and, for SQLite, reading
# the schema again) costs more CPU than rendering a page.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "60"))  # noqa: F405

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "true").lower() != "false"
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")  # noqa: F405  (static files without a proxy)
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
