"""Issuing and checking partners' keys, and the per-key rate limit (401 / 403 / 429 with Retry-After)."""

import hashlib
import hmac
import secrets
import time

from django.core.cache import cache
from django.utils import timezone

from .models import ApiKey

PREFIX_LENGTH = 8


class KeyRejected(Exception):
    """A key that is missing, wrong, revoked, not allowed here, or over its limit: `status`, `message`,
    and for 429 the seconds to wait."""

    def __init__(self, status: int, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue(
    partner: str, communities, requests_per_minute: int = 60, created_by=None, plain: str = ""
) -> tuple[ApiKey, str]:
    """A new key; the plain key is returned once and never stored. `plain` (`<8 characters>.<secret>`)
    is for the demo's published key only."""
    key = ApiKey(partner=partner, requests_per_minute=requests_per_minute, created_by=created_by)
    if plain:
        key.prefix, key.key_hash = plain.split(".", 1)[0][:PREFIX_LENGTH], _hash(plain)
    else:
        plain = set_secret(key)
    key.save()
    key.communities.set(communities)
    return key, plain


def set_secret(key: ApiKey) -> str:
    """Give `key` a fresh secret (not saved); the plain key is `<prefix>.<secret>`."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    plain = f"{prefix}.{secrets.token_urlsafe(32)}"
    key.prefix, key.key_hash = prefix, _hash(plain)
    return plain


def authenticate(plain: str | None) -> ApiKey:
    """The active key for `plain`; KeyRejected 401 (missing, unknown) or 403 (revoked)."""
    if not plain:
        raise KeyRejected(401, "api_key is required to file a request.")
    prefix = plain.split(".", 1)[0][:PREFIX_LENGTH]
    key = ApiKey.objects.filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.key_hash, _hash(plain)):
        raise KeyRejected(401, "api_key is not a valid key.")
    if key.revoked_at is not None:
        raise KeyRejected(403, "This api_key has been revoked.")
    return key


def check_rate(key: ApiKey) -> None:
    """Count one request against the key's per-minute limit (a fixed window in the cache)."""
    window = int(time.time() // 60)
    cache_key = f"api-key-rate:{key.pk}:{window}"
    if cache.add(cache_key, 1, 61):
        used = 1
    else:
        try:
            used = cache.incr(cache_key)
        except ValueError:
            cache.set(cache_key, 1, 61)
            used = 1
    if used > key.requests_per_minute:
        raise KeyRejected(429, "Too many requests with this api_key.", retry_after=60 - int(time.time()) % 60)


def touch(key: ApiKey) -> None:
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
