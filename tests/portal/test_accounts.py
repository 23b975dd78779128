"""One account for every community site: log in by mobile number or username."""

import pytest
from django.contrib.auth import SESSION_KEY, authenticate

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def resident(make_user):
    return make_user("wang_ayi", phone="13800138000", display_name="王阿姨")


def log_in(host_client, username, password=PASSWORD, host="a1.localhost"):
    client = host_client(host)
    response = client.post("/accounts/login/", {"username": username, "password": password, "next": "/"})
    return client, response


@pytest.mark.parametrize("login", ["13800138000", "138 0013 8000", "+86 138-0013-8000", "wang_ayi", "WANG_AYI"])
def test_login_by_phone_or_username(city, host_client, resident, login):
    client, response = log_in(host_client, login)
    assert response.status_code == 302 and response["Location"] == "/"
    assert int(client.session[SESSION_KEY]) == resident.pk


@pytest.mark.parametrize("login", ["13800138000", "wang_ayi"])
def test_wrong_password_fails(city, host_client, resident, login):
    client, response = log_in(host_client, login, password="wrong-password")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert SESSION_KEY not in client.session


def test_unknown_account_fails(city, host_client, resident):
    client, response = log_in(host_client, "13900000009")
    assert response.status_code == 200 and SESSION_KEY not in client.session


def test_inactive_account_fails(city, host_client, resident):
    resident.is_active = False
    resident.save()
    client, response = log_in(host_client, "13800138000")
    assert SESSION_KEY not in client.session


def test_phone_is_stored_normalised_and_unique(make_user, resident):
    from django.db import IntegrityError, transaction

    assert resident.phone == "13800138000"
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user("someone_else", phone="+86 138 0013 8000")


def test_a_username_that_looks_like_another_users_phone(db, make_user):
    """Login names are matched against both; the account whose username it is wins, deterministically."""
    owner = make_user("13800138000")
    make_user("other", phone="13800138000")
    assert authenticate(username="13800138000", password=PASSWORD) == owner


def test_backend_needs_both_fields(db, resident):
    assert authenticate(username="13800138000", password=None) is None
    assert authenticate(username=None, password=PASSWORD) is None


def test_the_masked_phone_and_public_name(resident):
    assert resident.masked_phone == "138****8000"
    assert resident.public_name == "王阿姨"
    assert "13800138000" not in str(resident)


def test_one_login_serves_every_community_host_when_cookies_are_shared(city, host_client, resident):
    """The session is not tied to the host it was made on (the cookie domain makes the browser share it)."""
    client, _ = log_in(host_client, "wang_ayi", host="a1.localhost")
    response = client.get("/", HTTP_HOST="b1.localhost")
    assert response.status_code == 200
    assert response.context["user"] == resident
