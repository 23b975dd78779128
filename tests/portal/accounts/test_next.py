"""`next` on sign-up, consent, login and the second factor: only a local path of this site is followed.

A bad value never costs the visitor the action already done: the account is created, the consent
recorded, the login made, and the visitor lands on the default page instead."""

import pytest
from django.contrib.auth import get_user_model

from portal.accounts import consent

from .conftest import PASSWORD, last_code

BAD_NEXT = [
    "b",
    "accounts:me",
    "//evil.example/",
    "https://evil.example/",
    "/\\evil.example",
    "javascript:alert(1)",
    "/me\r\nSet-Cookie: x=1",
    "/\x00",
    "\x00",
    " /",
    "/" + "x" * 3000,
]


def sign_up(client, next_value, phone="13800138000"):
    client.post("/accounts/signup/", {"phone": phone, "consent": "on", "next": next_value})
    return client.post(
        "/accounts/signup/confirm/",
        {"code": last_code(phone), "display_name": "老王", "password1": PASSWORD, "password2": PASSWORD},
    )


@pytest.mark.parametrize("next_value", BAD_NEXT)
def test_signup_with_a_bad_next_creates_the_account_and_lands_on_the_account_page(city, host_client, next_value):
    client = host_client("a1.localhost")
    response = sign_up(client, next_value)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    assert get_user_model().objects.filter(phone="13800138000").exists()
    assert client.get("/accounts/me/").status_code == 200


def test_signup_follows_a_local_next(city, host_client):
    response = sign_up(host_client("a1.localhost"), "/forum/?page=2")
    assert response["Location"] == "/forum/?page=2"


@pytest.mark.parametrize("next_value", BAD_NEXT)
def test_consent_with_a_bad_next_is_recorded_and_lands_on_the_account_page(city, signup, next_value):
    client = signup("13800138000")
    user = get_user_model().objects.get(phone="13800138000")
    url = "/accounts/consent/complaint_location/"
    assert client.get(url, {"next": next_value}).status_code == 200
    response = client.post(url, {"agree": "1", "next": next_value})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    assert consent.has_consent(user, consent.COMPLAINT_LOCATION)


@pytest.mark.parametrize("next_value", BAD_NEXT)
def test_login_with_a_bad_next_logs_in_and_lands_on_the_home_page(city, make_user, host_client, next_value):
    user = make_user("lao-wang", phone="13800138001")
    user.set_password(PASSWORD)
    user.save()
    client = host_client("a1.localhost")
    response = client.post("/accounts/login/", {"username": "13800138001", "password": PASSWORD, "next": next_value})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/accounts/me/").status_code == 200
    client.logout()
    page = client.get("/accounts/login/", {"next": next_value})
    assert page.status_code == 200
    assert page.context["next"] == ""  # not carried into the form either


def test_login_follows_a_local_next(city, make_user, host_client):
    user = make_user("lao-wang", phone="13800138001")
    user.set_password(PASSWORD)
    user.save()
    response = host_client("a1.localhost").post(
        "/accounts/login/", {"username": "lao-wang", "password": PASSWORD, "next": "/forum/"}
    )
    assert response["Location"] == "/forum/"
