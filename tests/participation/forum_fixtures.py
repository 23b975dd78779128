"""Fixtures for the forum and moderation tests: categories, residents, generous rate limits.

Imported by tests/participation/forums/conftest.py and tests/participation/moderation/conftest.py,
so that they do not apply to the other participation apps' tests."""

import pytest
from django.core.cache import cache

from participation.forums.models import ForumCategory
from participation.moderation.ratelimit import DEFAULT_LIMITS

GENEROUS = {action: {"user": (10_000, 60), "ip": (10_000, 60), "new_user": (10_000, 60)} for action in DEFAULT_LIMITS}


@pytest.fixture(autouse=True)
def fresh_cache_and_limits(settings):
    """Rate-limit counters live in the cache: start each test empty. Tests of the limits set their own."""
    cache.clear()
    settings.MODERATION_RATE_LIMITS = GENEROUS
    yield
    cache.clear()


@pytest.fixture
def categories(city):
    return {
        slug: ForumCategory.objects.create(community=community, name=f"闲聊{slug}", slug="chat")
        for slug, community in city.items()
    }


@pytest.fixture
def resident(make_user):
    """A resident with a history: past the new-account limits."""
    user = make_user("resident", display_name="老王")
    return user


@pytest.fixture
def trusted(settings):
    """New-account rules off (the default policy counts 3 posts), so tests can post links at once."""

    def make(community, posts=0):
        from participation.moderation.models import ModerationPolicy

        ModerationPolicy.objects.update_or_create(community=community, defaults={"new_account_posts": posts})

    return make


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends with an empty database (Django flushes it, and on PostgreSQL the
    rows post_migrate recreates get new ids while ContentType's cache keeps the old ones). After
    ours, reload what the migrations made, with the same ids, for the transactional tests after us."""
    yield
    marker = item.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction") and marker.kwargs.get("serialized_rollback")):
        return
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)
