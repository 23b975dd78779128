"""Login throttling: one counter per account however it is named, one per IP, attempts during a lock included."""

import pytest
from django.conf import settings
from django.test import override_settings

from portal.accounts import throttle

from .conftest import PASSWORD

# The same account, as a resident might type it, or an attacker might vary it.
IDENTIFIERS = [
    "lao-wang",
    "LAO-WANG",
    "Lao-Wang",
    "13800138000",
    "138 0013 8000",
    "+8613800138000",
    "0086-138-0013-8000",
]


@pytest.fixture
def lao_wang(make_user):
    user = make_user("lao-wang", phone="13800138000")
    user.set_password(PASSWORD)
    user.save()
    return user


def login(client, identifier, password, ip):
    return client.post("/accounts/login/", {"username": identifier, "password": password}, REMOTE_ADDR=ip)


def test_fifty_wrong_passwords_by_mixed_identifiers_lock_the_account_after_the_stated_number(
    city, lao_wang, host_client
):
    limit = settings.PORTAL_LOGIN_MAX_FAILURES_PER_ACCOUNT
    assert limit == 5  # the number docs/deploy.md states
    client = host_client("a1.localhost")
    for attempt in range(50):
        identifier = IDENTIFIERS[attempt % len(IDENTIFIERS)]
        ip = f"10.1.{attempt}.1"  # a new address each time: only the account's counter can lock
        response = login(client, identifier, "wrong", ip)
        assert response.status_code == 200
        locked = "Too many failed logins for this account" in response.content.decode()
        assert locked == (attempt >= limit), (attempt, identifier)
    assert throttle.account_failures("lao-wang") == 50  # every attempt counted, those during the lock too
    for identifier in IDENTIFIERS:  # the right password by any name is refused until the window ends
        response = login(client, identifier, PASSWORD, "10.2.0.1")
        assert "Too many failed logins for this account" in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_a_successful_login_resets_the_account_whatever_name_was_used(city, lao_wang, host_client):
    client = host_client("a1.localhost")
    for identifier in IDENTIFIERS[:4]:
        login(client, identifier, "wrong", "10.3.0.1")
    assert throttle.account_failures("138-0013-8000") == 4
    assert login(client, "+86 138 0013 8000", PASSWORD, "10.3.0.1").status_code == 302
    assert throttle.account_failures("lao-wang") == 0


def test_a_hundred_failures_across_fifty_accounts_lock_the_ip(city, make_user, host_client):
    limit = settings.PORTAL_LOGIN_MAX_FAILURES_PER_IP
    assert limit == 30
    for n in range(51):
        make_user(f"resident{n}", phone=f"139{n:08d}")
    attacker = host_client("a1.localhost")
    outcomes = []
    for attempt in range(100):
        n = attempt % 50
        response = login(attacker, f"139{n:08d}" if attempt % 2 else f"resident{n}", "wrong", "10.9.9.9")
        outcomes.append("from your network" in response.content.decode())
    assert outcomes == [False] * limit + [True] * (100 - limit)
    assert throttle.ip_failures("10.9.9.9") == 100  # counted while locked as well
    for n in range(50):  # two failures each: no account reached its own limit
        assert throttle.account_failures(f"resident{n}") == 2
    fresh = make_user("resident-fresh", phone="13700000001")
    fresh.set_password(PASSWORD)
    fresh.save()
    response = login(attacker, "resident-fresh", PASSWORD, "10.9.9.9")
    assert "from your network" in response.content.decode()  # the right password of another account too
    assert login(host_client("a1.localhost"), "resident-fresh", PASSWORD, "10.9.9.10").status_code == 302


@override_settings(PORTAL_LOGIN_MAX_FAILURES_PER_ACCOUNT=3, PORTAL_LOGIN_MAX_FAILURES_PER_IP=10)
def test_hammering_a_locked_account_locks_the_ip(city, lao_wang, make_user, host_client):
    client = host_client("a1.localhost")
    for attempt in range(10):
        login(client, IDENTIFIERS[attempt % len(IDENTIFIERS)], "wrong", "10.4.0.1")
    assert throttle.ip_failures("10.4.0.1") == 10
    other = make_user("neighbour", phone="13900139000")
    other.set_password(PASSWORD)
    other.save()
    assert "from your network" in login(client, "neighbour", PASSWORD, "10.4.0.1").content.decode()


@override_settings(PORTAL_LOGIN_MAX_FAILURES_PER_ACCOUNT=2)
def test_the_admin_login_shares_the_account_counter(city, lao_wang, host_client):
    lao_wang.is_staff = True
    lao_wang.save()
    client = host_client("localhost")
    client.post("/admin/login/", {"username": "LAO-WANG", "password": "nope"}, REMOTE_ADDR="10.5.0.1")
    client.post("/accounts/login/", {"username": "138 0013 8000", "password": "nope"}, REMOTE_ADDR="10.5.0.2")
    response = client.post("/admin/login/", {"username": "lao-wang", "password": PASSWORD}, REMOTE_ADDR="10.5.0.3")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
