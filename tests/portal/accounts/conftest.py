import re

import pytest
from django.core.cache import cache

from portal.accounts import sms
from portal.accounts.phone import normalise_phone

PASSWORD = "a-Long-pass-4-tests"


@pytest.fixture(autouse=True)
def clean_channels():
    """Each test starts with an empty SMS outbox and an empty cache (throttle counters, cooldowns)."""
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
