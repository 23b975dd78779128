"""Django's Redis cache backend, reusing its Redis client objects.

Django builds a new `redis.Redis` for every cache call; each one copies the client's table of
about 170 response callbacks, which costs more than a page-cache hit's own work. The client is
thread-safe and only wraps the connection pool, so one per pool is enough.
"""

from django.core.cache.backends import redis as django_redis


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
