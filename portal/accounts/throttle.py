"""Login throttling per account and per IP address, counted in the cache (Redis in production).

One account is one counter, whatever it is called at the login form: its username in any case, its
mobile number with or without spaces, dashes or +86 all count against the same account (an identifier
that names no account is counted under its normalised form). Every failure counts against the account
and against the client's IP address, attempts made while a lock is on included, so hammering a locked
account still locks the address. Counters are keyed by a hash, so the cache holds no phone numbers.
A window starts at the first failure and lasts PORTAL_LOGIN_LOCKOUT_SECONDS; reaching a limit locks
until the window ends.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from .phone import MOBILE_RE, normalise_phone


def find_account(login: str):
    """The account a login identifier names (username in any case, or mobile number in any format), or None."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    login = (login or "").strip()
    if not login:
        return None
    phone = normalise_phone(login)
    query = Q(username__iexact=login)
    if MOBILE_RE.match(phone):
        query |= Q(phone=phone)
    return get_user_model().objects.filter(query).order_by("pk").first()


def _hash(value: str) -> str:
    return salted_hmac("login-throttle", value).hexdigest()


def account_key(login: str, user=None) -> str:
    user = user if user is not None else find_account(login)
    if user is not None:
        return "login-fail:acct:" + _hash(f"user:{user.pk}")
    phone = normalise_phone(login or "")
    value = phone if MOBILE_RE.match(phone) else (login or "").strip().lower()
    return "login-fail:acct:" + _hash(f"name:{value}")


def ip_key(ip: str | None) -> str:
    return "login-fail:ip:" + _hash(ip or "-")


def account_failures(login: str) -> int:
    return cache.get(account_key(login), 0)


def ip_failures(ip: str | None) -> int:
    return cache.get(ip_key(ip), 0)


def lockout_message(login: str, ip: str | None) -> str | None:
    """Why this login may not be tried now, or None."""
    minutes = max(1, settings.PORTAL_LOGIN_LOCKOUT_SECONDS // 60)
    if account_failures(login) >= settings.PORTAL_LOGIN_MAX_FAILURES_PER_ACCOUNT:
        return _(
            "Too many failed logins for this account. It is locked for %(minutes)d minutes; "
            "you can reset your password by SMS."
        ) % {"minutes": minutes}
    if ip_failures(ip) >= settings.PORTAL_LOGIN_MAX_FAILURES_PER_IP:
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
    """One failed attempt, refused by a lock or by a wrong password: counted for the account and the IP."""
    _bump(account_key(login))
    _bump(ip_key(ip))


def reset_account(user) -> None:
    """After a successful login: the account's counter starts again (the IP's does not)."""
    cache.delete(account_key("", user=user))


def client_ip(request) -> str | None:
    """The client address as the server sees it (behind a proxy, gunicorn --forwarded-allow-ips sets it)."""
    return request.META.get("REMOTE_ADDR") if request is not None else None
