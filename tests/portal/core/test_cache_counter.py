"""incr_or_create: a never-expiring counter (the forum's view counts), one Redis round trip per count."""

import pytest
import redis
from django.core.cache import cache

from portal.core.cache import incr_or_create


def test_a_counter_starts_at_the_first_count_and_keeps_counting():
    cache.delete("test:counter")
    assert [incr_or_create(cache, "test:counter") for _ in range(3)] == [1, 2, 3]
    assert incr_or_create(cache, "test:counter", 5) == 8
    assert cache.get("test:counter") == 8  # readable through the cache as a number
    cache.delete("test:counter")


@pytest.mark.redis_only
def test_on_redis_a_count_is_one_round_trip(monkeypatch):
    calls = []
    original = redis.Redis.execute_command
    monkeypatch.setattr(
        redis.Redis, "execute_command", lambda self, *a, **k: calls.append(a[0]) or original(self, *a, **k)
    )
    cache.delete("test:counter")
    calls.clear()
    assert incr_or_create(cache, "test:counter") == 1 and incr_or_create(cache, "test:counter") == 2
    assert calls == ["INCRBY", "INCRBY"]
    cache.delete("test:counter")
