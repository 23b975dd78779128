"""A follower's dialogue with the bot (the complaint by message, for instance), kept in the cache
(Redis in production) with an expiry: it survives a restart of the server, times out on its own, and
is ended by its handler (done or cancelled). Handlers of apps above portal use it through this module.
"""

import time

from django.conf import settings
from django.core.cache import cache


def _key(account, openid: str) -> str:
    return f"wechat:dialogue:{account.pk}:{openid}"


def load(account, openid: str) -> dict | None:
    """The dialogue's state, or None (none started, ended, or timed out)."""
    state = cache.get(_key(account, openid))
    if state is None or state.get("_until", 0) < time.time():
        return None
    return state


def save(account, openid: str, state: dict) -> None:
    """Stores the state and restarts the timeout (WECHAT_DIALOGUE_SECONDS since the last answer).
    The cache entry expires then too; `_until` makes the timeout exact whatever the cache does."""
    seconds = settings.WECHAT_DIALOGUE_SECONDS
    cache.set(_key(account, openid), {**state, "_until": time.time() + seconds}, seconds)


def end(account, openid: str) -> None:
    cache.delete(_key(account, openid))


def remember_location(account, openid: str, latitude: float, longitude: float, label: str = "") -> None:
    """The follower's last reported location (WeChat's LOCATION event or a location message), for a while."""
    cache.set(
        f"wechat:location:{account.pk}:{openid}",
        {"latitude": latitude, "longitude": longitude, "label": label},
        settings.WECHAT_DIALOGUE_SECONDS,
    )


def last_location(account, openid: str) -> dict | None:
    return cache.get(f"wechat:location:{account.pk}:{openid}")
