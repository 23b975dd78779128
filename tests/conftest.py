"""Fixtures every test folder shares: a small city built by the real provisioning code."""

import pytest
from django.core.cache import cache
from django.test import Client

from communities.regions.models import Region
from communities.regions.provisioning import provision_city, provision_community, provision_region


def build_city(communities_per_street: int = 1):
    """City > 2 districts > 3 streets > communities, made the way production makes them."""
    provision_city("测试市", "city")
    provision_region(Region.Kind.DISTRICT, "东区", "east", "city")
    provision_region(Region.Kind.DISTRICT, "西区", "west", "city")
    provision_region(Region.Kind.STREET, "甲街道", "street-a", "east")
    provision_region(Region.Kind.STREET, "乙街道", "street-b", "east")
    provision_region(Region.Kind.STREET, "丙街道", "street-c", "west")
    made = {}
    for street in ("street-a", "street-b", "street-c"):
        for i in range(communities_per_street):
            slug = f"{street.split('-')[1]}{i + 1}"
            made[slug] = provision_community(f"社区{slug}", slug, street).obj
    return made


@pytest.fixture(autouse=True)
def clear_cache():
    """Wagtail caches site root paths and the page cache keeps generations: start every test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def city(db):
    """{'a1': Community, 'b1': Community, 'c1': Community} on hosts a1.localhost, ..."""
    return build_city()


@pytest.fixture
def host_client():
    """A test client that speaks to one host: host_client('a1.localhost')."""

    def make(host: str, user=None) -> Client:
        client = Client(HTTP_HOST=host)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def make_user(db, django_user_model):
    counter = {"n": 0}

    def make(username=None, **extra):
        counter["n"] += 1
        username = username or f"user{counter['n']}"
        user = django_user_model.objects.create_user(username=username, password="pw-for-tests-1", **extra)
        return user

    return make
