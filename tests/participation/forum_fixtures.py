"""Fixtures for the forum and moderation tests: categories, residents, generous rate limits.

Imported by tests/participation/forums/conftest.py and tests/participation/moderation/conftest.py,
so that they do not apply to the other participation apps' tests."""

import pytest
from django.core.cache import cache

from participation.forums.models import ForumCategory
from participation.moderation.ratelimit import DEFAULT_LIMITS
from tests.membership import members_of

GENEROUS = {action: {"user": (10_000, 60), "ip": (10_000, 60), "new_user": (10_000, 60)} for action in DEFAULT_LIMITS}


@pytest.fixture(autouse=True)
def fresh_cache_and_limits(settings):
    """Rate-limit counters live in the cache: start each test empty. Tests of the limits set their own."""
    cache.clear()
    settings.MODERATION_RATE_LIMITS = GENEROUS
    yield
    cache.clear()


@pytest.fixture
def make_user(make_user, city):
    """These tests are about what residents do: every user is a verified member of every test community."""
    return members_of(make_user, *city.values())


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
