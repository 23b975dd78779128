"""Django's Redis cache backend, reusing its Redis client objects and clearing only its own keys.

Django builds a new `redis.Redis` for every cache call; each one copies the client's table of
about 170 response callbacks, which costs more than a page-cache hit's own work. The client is
thread-safe and only wraps the connection pool, so one per pool is enough.

Django's `clear()` is FLUSHDB: it would also empty the channel layer and anything else sharing the
Redis database (in tests: the other pytest-xdist workers' caches). Here it deletes only the keys
this cache made, i.e. those under its KEY_PREFIX.
"""

import re

from django.core.cache.backends import redis as django_redis
from django.utils.connection import ConnectionProxy

CLEAR_BATCH = 1000


def glob_escape(text: str) -> str:
    """`text` as a literal in a Redis MATCH pattern."""
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


class ReusingRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def key_pattern(self) -> str:
        """The MATCH pattern of every key this cache makes, of any version. The version part must start
        with a digit, so with the same prefix the channel layer's `<prefix>:group:...` keys do not match."""
        return self.key_func("*", glob_escape(self.key_prefix), "[0-9]*")

    def incr_or_create(self, key, delta=1, version=None) -> int:
        """Add `delta` to a counter that never expires, starting it at 0 if missing: one INCRBY (Django's
        `add` then `incr` are three round trips: SET NX, EXISTS, INCRBY)."""
        client = self._cache.get_client(key, write=True)
        return client.incrby(self.make_and_validate_key(key, version=version), delta)

    def clear(self):
        client = self._cache.get_client(write=True)
        batch = []
        for key in client.scan_iter(match=self.key_pattern(), count=CLEAR_BATCH):
            batch.append(key)
            if len(batch) == CLEAR_BATCH:
                client.unlink(*batch)
                batch = []
        if batch:
            client.unlink(*batch)
        return True


def incr_or_create(cache, key, delta: int = 1) -> int:
    """A never-expiring counter in `cache`, started at 0 when missing; returns its new value. One round trip
    on Redis; elsewhere (local memory in development and tests) `add` and `incr`."""
    if isinstance(cache, ConnectionProxy):  # django.core.cache.cache: the backend it stands for
        cache = cache._connections[cache._alias]
    if isinstance(cache, RedisCache):
        return cache.incr_or_create(key, delta)
    if cache.add(key, delta, None):
        return delta
    try:
        return cache.incr(key, delta)
    except ValueError:  # expired or evicted between the two calls
        cache.set(key, delta, None)
        return delta
