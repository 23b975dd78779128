"""Cache-based rate limits per account and per IP address (fixed windows).

Limits come from settings.MODERATION_RATE_LIMITS: {action: {"user": (count, seconds),
"ip": (count, seconds), "new_user": (count, seconds)}}; an action without an entry uses "post".
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

DEFAULT_LIMITS = {
    "post": {"user": (10, 60), "ip": (30, 60), "new_user": (3, 300)},
    "like": {"user": (60, 60), "ip": (200, 60), "new_user": (30, 60)},
    "report": {"user": (10, 600), "ip": (30, 600), "new_user": (5, 600)},
}


class RateLimited(Exception):
    """The message says what happened and when to try again."""


def limits_for(action: str) -> dict:
    configured = getattr(settings, "MODERATION_RATE_LIMITS", DEFAULT_LIMITS)
    return configured.get(action) or configured.get("post") or DEFAULT_LIMITS["post"]


def client_ip(request) -> str:
    """The address the request came from; behind a proxy, the deployment sets REMOTE_ADDR (e.g. with a
    trusted proxy middleware) — a client-supplied X-Forwarded-For is never trusted here."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _hit(key: str, count: int, seconds: int) -> int | None:
    """Count one hit; return seconds until the window ends when the limit is exceeded."""
    window = int(time.time() // seconds)
    full_key = f"ratelimit:{key}:{window}"
    if cache.add(full_key, 1, seconds + 1):
        used = 1
    else:
        try:
            used = cache.incr(full_key)
        except ValueError:  # expired between add and incr
            cache.set(full_key, 1, seconds + 1)
            used = 1
    if used > count:
        return seconds - int(time.time()) % seconds
    return None


def check_rate(request, action: str, *, new_account: bool = False) -> None:
    """Count this request against the account's and the IP's limits; raise RateLimited when over."""
    limits = limits_for(action)
    checks = [("ip", f"{action}:ip:{client_ip(request)}")]
    if request.user.is_authenticated:
        checks.append(("new_user" if new_account else "user", f"{action}:user:{request.user.pk}"))
    for scope, key in checks:
        count, seconds = limits[scope]
        wait = _hit(key, count, seconds)
        if wait is not None:
            raise RateLimited(
                _("You are doing this too often. Please wait %(seconds)d seconds and try again.") % {"seconds": wait}
            )
