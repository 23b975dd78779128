"""`make test` runs the suite in several pytest-xdist worker processes against one PostgreSQL server and
one Redis database. Each worker must have its own test database, cache keys, channel-layer groups and
upload folders, and clearing its cache must leave every other worker's keys alone.

"Another worker" here is a real second process started with another PYTEST_XDIST_WORKER name (named
after this worker, so that two workers running this module at once do not share it)."""

import asyncio
import json
import os
import subprocess
import sys

import pytest
import redis
import redis.asyncio
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from portal.core.cache import RedisCache

PROBE = "isolation-probe"

OTHER_WORKER_SCRIPT = f"""
import json
import django
django.setup()
from django.conf import settings
from django.core.cache import cache
cache.set({PROBE!r}, "the other worker's", timeout=300)
print(json.dumps({{
    "media": str(settings.MEDIA_ROOT),
    "private_media": str(settings.PRIVATE_MEDIA_ROOT),
    "cache_prefix": settings.CACHES["default"].get("KEY_PREFIX", ""),
    "channel_prefix": settings.CHANNEL_LAYERS["default"].get("CONFIG", {{}}).get("prefix"),
}}))
"""


def this_worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


OTHER_WORKER = f"{this_worker()}-other"


@pytest.fixture(scope="module")
def other_worker() -> dict:
    """Start a process with the test settings as worker OTHER_WORKER; it writes PROBE to its cache."""
    env = {**os.environ, "PYTEST_XDIST_WORKER": OTHER_WORKER, "DJANGO_SETTINGS_MODULE": "portal.settings.test"}
    env.pop("MEDIA_ROOT", None)
    result = subprocess.run(
        [sys.executable, "-c", OTHER_WORKER_SCRIPT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def cache_prefix() -> str:
    return settings.CACHES["default"].get("KEY_PREFIX", "")


def channel_prefix() -> str | None:
    return settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix")


def test_another_worker_gets_other_upload_folders_and_redis_prefixes(other_worker):
    other = other_worker
    ours = {"media": settings.MEDIA_ROOT, "private_media": settings.PRIVATE_MEDIA_ROOT}
    for name, path in ours.items():
        assert f"portal-test-media-{this_worker()}-" in str(path)
        assert f"portal-test-media-{OTHER_WORKER}-" in other[name]
    assert {str(p) for p in ours.values()}.isdisjoint({other["media"], other["private_media"]})
    if settings.REDIS_URL:
        mine = [cache_prefix(), channel_prefix()]
        theirs = [other["cache_prefix"], other["channel_prefix"]]
        assert all(this_worker() in p for p in mine) and all(OTHER_WORKER in p for p in theirs)
        # channels-redis deletes "<prefix>*" on flush and names channels "<prefix><name>": no prefix may start another.
        for a in mine + theirs:
            assert [b for b in mine + theirs if b.startswith(a)] == [a]


def test_each_worker_has_its_own_test_database(db):
    name = connection.settings_dict["NAME"]
    if os.environ.get("PYTEST_XDIST_WORKER") and connection.vendor == "postgresql":
        assert name.endswith(f"_{this_worker()}")  # pytest-django's suffix: test_<db>_gw0, test_<db>_gw1, ...
    assert connection.vendor != "postgresql" or name.startswith("test_")


@pytest.mark.redis_only
def test_clearing_the_cache_leaves_another_workers_keys(other_worker):
    theirs = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": other_worker["cache_prefix"]})
    try:
        assert theirs.get(PROBE) == "the other worker's"
        cache.set(PROBE, "ours")
        cache.clear()
        assert cache.get(PROBE) is None
        assert theirs.get(PROBE) == "the other worker's"
    finally:
        theirs.clear()
    assert theirs.get(PROBE) is None


@pytest.mark.redis_only
def test_clear_deletes_every_version_in_batches_but_not_the_channel_layer_under_the_same_prefix():
    """Production names the cache and the channel layer "portal" alike, in one Redis database."""
    prefix = f"isolation-{this_worker()}"
    shared = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": prefix})
    client = redis.Redis.from_url(settings.REDIS_URL)
    group_key, channel_key = f"{prefix}:group:topic-1", f"{prefix}specific.abc!def"
    try:
        shared.set_many({f"k{i}": i for i in range(2500)})  # more than one SCAN/UNLINK batch
        shared.set("old", 1, version=7)
        client.zadd(group_key, {"specific.abc!def": 1})
        client.rpush(channel_key, b"message")
        shared.clear()
        assert shared.get_many([f"k{i}" for i in range(2500)]) == {}
        assert shared.get("old", version=7) is None
        assert client.exists(group_key, channel_key) == 2
    finally:
        client.delete(group_key, channel_key)
        shared.clear()
        client.close()


@pytest.mark.redis_only
def test_a_group_message_of_another_worker_does_not_reach_this_workers_group(other_worker):
    """Group names come from database ids, which every worker's database repeats (topic-1 in each)."""
    other = RedisChannelLayer(hosts=[settings.REDIS_URL], prefix=other_worker["channel_prefix"])

    async def exchange():
        ours = get_channel_layer()
        channel = await ours.new_channel()
        await ours.group_add("topic-1", channel)
        try:
            await other.group_send("topic-1", {"type": "tally", "from": "the other worker"})
            await ours.group_send("topic-1", {"type": "tally", "from": "this worker"})
            first = await asyncio.wait_for(ours.receive(channel), timeout=10)
        finally:
            await ours.group_discard("topic-1", channel)
            await other.flush()
        return first

    assert async_to_sync(exchange)()["from"] == "this worker"


def test_nothing_may_flush_the_shared_redis_database():
    # Port 1 is closed: were the guard missing, the call would fail to connect rather than flush anything.
    client = redis.Redis.from_url("redis://127.0.0.1:1/0")
    for flush in (client.flushdb, client.flushall):
        with pytest.raises(AssertionError, match="other test workers"):
            flush()

    async def flush_async():
        async_client = redis.asyncio.Redis.from_url("redis://127.0.0.1:1/0")
        with pytest.raises(AssertionError, match="other test workers"):
            await async_client.flushdb()

    async_to_sync(flush_async)()
