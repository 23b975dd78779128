"""Login throttling per account and per IP address, counted in the cache (Redis in production).

Counters are keyed by a hash, so the cache holds no phone numbers. A window starts at the first
failure and lasts PORTAL_LOGIN_LOCKOUT_SECONDS; reaching the limit locks until the window ends.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from .phone import MOBILE_RE, normalise_phone


def account_key(login: str) -> str:
    phone = normalise_phone(login)
    value = phone if MOBILE_RE.match(phone) else (login or "").strip().lower()
    return "login-fail:acct:" + salted_hmac("login-throttle", value).hexdigest()


def ip_key(ip: str | None) -> str:
    return "login-fail:ip:" + salted_hmac("login-throttle", ip or "-").hexdigest()


def lockout_message(login: str, ip: str | None) -> str | None:
    """Why this login may not be tried now, or None."""
    minutes = max(1, settings.PORTAL_LOGIN_LOCKOUT_SECONDS // 60)
    if cache.get(account_key(login), 0) >= settings.PORTAL_LOGIN_MAX_FAILURES_PER_ACCOUNT:
        return _(
            "Too many failed logins for this account. It is locked for %(minutes)d minutes; "
            "you can reset your password by SMS."
        ) % {"minutes": minutes}
    if cache.get(ip_key(ip), 0) >= settings.PORTAL_LOGIN_MAX_FAILURES_PER_IP:
        return _("Too many failed logins from your network. Please try again in %(minutes)d minutes.") % {
            "minutes": minutes
        }
    return None


def _bump(key: str) -> None:
    if not cache.add(key, 1, settings.PORTAL_LOGIN_LOCKOUT_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, settings.PORTAL_LOGIN_LOCKOUT_SECONDS)


def register_failure(login: str, ip: str | None) -> None:
    _bump(account_key(login))
    _bump(ip_key(ip))


def reset_account(login: str) -> None:
    cache.delete(account_key(login))


def client_ip(request) -> str | None:
    """The client address as the server sees it (behind a proxy, gunicorn --forwarded-allow-ips sets it)."""
    return request.META.get("REMOTE_ADDR") if request is not None else None
