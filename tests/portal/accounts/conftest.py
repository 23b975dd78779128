import re

import pytest
from django.core.cache import cache

from portal.accounts import sms
from portal.accounts.phone import normalise_phone

PASSWORD = "a-Long-pass-4-tests"


@pytest.fixture(autouse=True)
def clean_channels(settings):
    """Each test starts with an empty SMS outbox and an empty cache (throttle counters, cooldowns).

    Pages are asserted on their English msgids; test_translations checks the Chinese catalogue.
    """
    settings.LANGUAGE_CODE = "en"
    sms.outbox.clear()
    cache.clear()
    yield
    sms.outbox.clear()


def last_code(phone: str) -> str:
    phone = normalise_phone(phone)
    for to, text in reversed(sms.outbox):
        if to == phone:
            return re.search(r"\d{6}", text).group(0)
    raise AssertionError(f"no SMS sent to {phone}")


@pytest.fixture
def signup(host_client):
    """Sign up through the real views; returns the logged-in client."""

    def run(phone="13800138000", host="a1.localhost", display_name="老王", password=PASSWORD):
        client = host_client(host)
        response = client.post("/accounts/signup/", {"phone": phone, "consent": "on"})
        assert response.status_code == 302, response.content.decode()
        response = client.post(
            "/accounts/signup/confirm/",
            {"code": last_code(phone), "display_name": display_name, "password1": password, "password2": password},
        )
        assert response.status_code == 302, response.content.decode()
        return client

    return run


def make_id_number(first17: str = "11010519491231002") -> str:
    """A valid 18-character ID number (GB 11643 check digit) from 17 digits."""
    from portal.accounts.identity import check_digit

    return first17 + check_digit(first17)


@pytest.fixture
def buildings(city):
    """Buildings kept by workers: a1 has 1号楼 (units 1,2) and 2号楼 (no units); b1 has 1号楼."""
    from portal.accounts.models import Building

    return {
        "a1-1": Building.objects.create(community=city["a1"], name="1号楼", units="1,2"),
        "a1-2": Building.objects.create(community=city["a1"], name="2号楼"),
        "b1-1": Building.objects.create(community=city["b1"], name="1号楼", units="1"),
    }


@pytest.fixture
def worker_of(make_user):
    """worker_of(community): a staff user in that community's editors group, with the worker permissions."""
    from portal.accounts.permissions import grant_worker_permissions

    def make(community, username=None):
        grant_worker_permissions(community.editors_group)
        user = make_user(username or f"worker-{community.slug}", is_staff=True)
        user.groups.add(community.editors_group)
        return user

    return make


@pytest.fixture
def resident(make_user):
    """resident(phone): an account with a phone, logged in nowhere yet."""

    def make(phone, name="居民"):
        return make_user(phone=phone, display_name=name)

    return make
