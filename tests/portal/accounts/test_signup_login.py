"""Sign-up, login, throttling, password reset and logout everywhere, through the real views."""

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from portal.accounts import consent
from portal.accounts.models import VerificationCode

from .conftest import PASSWORD, last_code

User = get_user_model()


def test_signup_creates_account_with_consent_and_logs_in(city, signup):
    client = signup("138 0013 8000")
    user = User.objects.get(phone="13800138000")
    assert user.display_name == "老王"
    assert "13800138000" not in user.username
    assert consent.has_consent(user, consent.ACCOUNT)
    assert user.consents.get().version == consent.notice(consent.ACCOUNT).version
    assert client.get("/accounts/me/").status_code == 200
    # only a hash of the code is stored
    assert VerificationCode.objects.get().code_hash != last_code("13800138000")


def test_signup_page_shows_privacy_notice_before_anything_is_collected(city, host_client):
    page = host_client("b1.localhost").get("/accounts/signup/").content.decode()
    assert str(consent.notice(consent.ACCOUNT).text)[:20] in page
    assert 'name="consent"' in page


def test_signup_without_consent_is_refused(city, host_client):
    response = host_client("a1.localhost").post("/accounts/signup/", {"phone": "13800138000"})
    assert response.status_code == 200
    assert "consent" in response.context["form"].errors


@pytest.mark.parametrize("phone", ["12345", "23800138000", "1380013800a", "138001380001", ""])
def test_malformed_phone_is_a_form_error(city, host_client, phone):
    response = host_client("a1.localhost").post("/accounts/signup/", {"phone": phone, "consent": "on"})
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert not VerificationCode.objects.exists()


def test_repeated_signup_is_refused_with_a_clear_message(city, signup, host_client):
    signup("13800138000")
    response = host_client("b1.localhost").post("/accounts/signup/", {"phone": "+86 138-0013-8000", "consent": "on"})
    assert response.status_code == 200
    assert "already has an account" in str(response.context["form"].errors["phone"])
    assert User.objects.filter(phone="13800138000").count() == 1


def test_wrong_code_does_not_create_an_account(city, host_client):
    client = host_client("a1.localhost")
    client.post("/accounts/signup/", {"phone": "13800138000", "consent": "on"})
    wrong = "000000" if last_code("13800138000") != "000000" else "111111"
    response = client.post(
        "/accounts/signup/confirm/", {"code": wrong, "display_name": "x", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert not User.objects.filter(phone="13800138000").exists()


def test_code_resend_is_rate_limited(city, host_client):
    client = host_client("a1.localhost")
    client.post("/accounts/signup/", {"phone": "13800138000", "consent": "on"})
    response = client.post("/accounts/signup/", {"phone": "13800138000", "consent": "on"})
    assert response.status_code == 200
    assert "wait a minute" in str(response.context["form"].non_field_errors())
    assert VerificationCode.objects.count() == 1


def test_one_account_logs_in_on_every_community_site(city, signup, host_client):
    signup("13800138000", host="a1.localhost")
    for host in ("a1.localhost", "c1.localhost"):
        client = host_client(host)
        response = client.post("/accounts/login/", {"username": "13800138000", "password": PASSWORD})
        assert response.status_code == 302, host
        assert client.get("/accounts/me/").status_code == 200


@override_settings(PORTAL_LOGIN_MAX_FAILURES_PER_ACCOUNT=3)
def test_account_locks_after_failures_even_with_the_right_password(city, signup, host_client):
    signup("13800138000")
    client = host_client("a1.localhost")
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": "13800138000", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": "13800138000", "password": PASSWORD})
    assert response.status_code == 200
    assert "locked for 15 minutes" in response.content.decode()
    # another login is not affected
    signup("13900139000", host="b1.localhost")
    assert client.post("/accounts/login/", {"username": "13900139000", "password": PASSWORD}).status_code == 302


@override_settings(PORTAL_LOGIN_MAX_FAILURES_PER_IP=4)
def test_ip_locks_after_failures_across_accounts(city, signup, host_client):
    signup("13800138000")
    client = host_client("a1.localhost")
    for n in range(4):
        client.post("/accounts/login/", {"username": f"1390013900{n}", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "13800138000", "password": PASSWORD})
    assert "from your network" in response.content.decode()
    other_ip = host_client("a1.localhost")
    other_ip.defaults["REMOTE_ADDR"] = "10.0.0.9"
    assert other_ip.post("/accounts/login/", {"username": "13800138000", "password": PASSWORD}).status_code == 302


@override_settings(PORTAL_LOGIN_MAX_FAILURES_PER_ACCOUNT=2)
def test_wagtail_admin_login_is_throttled_too(city, make_user, host_client):
    make_user("worker", is_superuser=True, is_staff=True)
    client = host_client("localhost")
    for _ in range(2):
        client.post("/admin/login/", {"username": "worker", "password": "nope"})
    response = client.post("/admin/login/", {"username": "worker", "password": "pw-for-tests-1"})
    assert response.status_code == 200  # refused although the password is right
    assert "_auth_user_id" not in client.session


def test_password_reset_by_sms_code_logs_out_every_session(city, signup, host_client):
    old_session = signup("13800138000")
    client = host_client("b1.localhost")
    response = client.post("/accounts/password/reset/", {"phone": "13800138000"})
    assert response.status_code == 302
    response = client.post(
        "/accounts/password/reset/confirm/",
        {"code": last_code("13800138000"), "password1": "Another-pass-55", "password2": "Another-pass-55"},
    )
    assert response.status_code == 302
    assert old_session.get("/accounts/me/").status_code == 302  # logged out
    assert (
        client.post("/accounts/login/", {"username": "13800138000", "password": "Another-pass-55"}).status_code == 302
    )


def test_password_reset_for_unknown_number_sends_nothing_and_reveals_nothing(city, host_client):
    response = host_client("a1.localhost").post("/accounts/password/reset/", {"phone": "13700137000"}, follow=True)
    assert "If this number has an account" in response.content.decode()
    assert not VerificationCode.objects.exists()


def test_logout_everywhere_ends_every_session(city, signup, host_client):
    first = signup("13800138000")
    second = host_client("c1.localhost")
    second.post("/accounts/login/", {"username": "13800138000", "password": PASSWORD})
    assert second.get("/accounts/me/").status_code == 200
    first.post("/accounts/logout/everywhere/")
    assert first.get("/accounts/me/").status_code == 302
    assert second.get("/accounts/me/").status_code == 302
    assert (
        host_client("c1.localhost")
        .post("/accounts/login/", {"username": "13800138000", "password": PASSWORD})
        .status_code
        == 302
    )


def test_consent_page_records_a_purpose_and_returns(city, signup):
    client = signup("13800138000")
    user = User.objects.get(phone="13800138000")
    assert not consent.has_consent(user, consent.COMPLAINT_LOCATION)
    url = "/accounts/consent/complaint_location/?next=/complaints/new/"
    assert str(consent.notice(consent.COMPLAINT_LOCATION).text)[:20] in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 200  # not ticked: nothing recorded
    assert not consent.has_consent(user, consent.COMPLAINT_LOCATION)
    response = client.post(url, {"agree": "1", "next": "/complaints/new/"})
    assert response["Location"] == "/complaints/new/"
    assert consent.has_consent(user, consent.COMPLAINT_LOCATION)
    assert client.get("/accounts/consent/nonsense/").status_code == 404


def test_a_new_notice_version_needs_consent_again(city, signup, monkeypatch):
    from dataclasses import replace

    signup("13800138000")
    user = User.objects.get(phone="13800138000")
    assert consent.has_consent(user, consent.ACCOUNT)
    newer = replace(consent.NOTICES[consent.ACCOUNT], version="2027-01")
    monkeypatch.setitem(consent.NOTICES, consent.ACCOUNT, newer)
    assert not consent.has_consent(user, consent.ACCOUNT)


@override_settings(PORTAL_SMS_MAX_PER_IP_PER_HOUR=3)
def test_codes_per_ip_are_limited_across_numbers(city, host_client):
    client = host_client("a1.localhost")
    for n in range(3):
        assert client.post("/accounts/signup/", {"phone": f"1380013800{n}", "consent": "on"}).status_code == 302
    response = client.post("/accounts/signup/", {"phone": "13800138009", "consent": "on"})
    assert response.status_code == 200
    assert "from your network" in response.content.decode()
    assert VerificationCode.objects.count() == 3
