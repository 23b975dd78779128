"""Second factor for flagged staff in the Wagtail admin; the production deployment check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def flagged_group(db):
    group = Group.objects.create(name="街道管理员")
    group.permissions.add(
        Permission.objects.get(codename="require_two_factor"), Permission.objects.get(codename="access_admin")
    )
    return group


def current_token(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)  # django-otp's growing delay after a wrong code is tested below
def test_flagged_staff_must_set_up_and_use_a_second_factor(city, make_user, flagged_group, host_client):
    staff = make_user("street-admin", is_staff=True)
    staff.groups.add(flagged_group)
    client = host_client("localhost", staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/")
    page = client.get(response["Location"])
    assert page.context["setup"] is True
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    assert client.post(response["Location"], {"token": "000000" if current_token(device) != "000000" else "1"})
    assert client.get("/admin/").status_code == 302  # a wrong code verified nothing
    response = client.post(response["Location"], {"token": current_token(device)})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    # a new session must verify again, with the same device (no new setup)
    second = host_client("localhost", staff)
    location = second.get("/admin/")["Location"]
    assert second.get(location).context["setup"] is False


def test_wrong_codes_are_throttled(city, make_user, flagged_group, host_client):
    staff = make_user("street-admin", is_staff=True)
    staff.groups.add(flagged_group)
    client = host_client("localhost", staff)
    location = client.get("/admin/")["Location"]
    client.get(location)
    device = TOTPDevice.objects.get(user=staff)
    wrong = "000000" if current_token(device) != "000000" else "111111"
    client.post(location, {"token": wrong})
    response = client.post(location, {"token": current_token(device)})
    assert "Too many wrong codes" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_unflagged_staff_and_public_pages_need_no_second_factor(city, make_user, flagged_group, host_client):
    editor = make_user("editor", is_staff=True)
    editor.groups.add(city["a1"].editors_group)
    assert host_client("localhost", editor).get("/admin/").status_code == 200
    flagged = make_user("flagged", is_staff=True)
    flagged.groups.add(flagged_group)
    assert host_client("a1.localhost", flagged).get("/").status_code == 200


def production_env(**overrides):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "PORTAL_BASE_DOMAIN": "shequ.example.gov.cn",
        "REDIS_URL": "redis://127.0.0.1:6379/5",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
        "PORTAL_SMS_BACKEND": "portal.accounts.sms.HttpGatewaySMSBackend",
        "SMS_GATEWAY_URL": "https://sms.example.gov.cn/send",
        "SMS_GATEWAY_TOKEN": secrets.token_urlsafe(20),
        "ID_HASH_SECRET": secrets.token_urlsafe(40),
        "OPEN311_URL": "https://open311.example.gov.cn/v2/",
        "OPEN311_API_KEY": secrets.token_urlsafe(20),
        "OPEN311_PUSH_SECRET": secrets.token_urlsafe(32),
        "WECHAT_SECRET_KEYS": "bm90LWEtZGV2ZWxvcG1lbnQta2V5LWZvci10ZXN0cyE=",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def check_deploy(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = check_deploy(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"PORTAL_SMS_BACKEND": None}, "PORTAL_SMS_BACKEND"),
        ({"PORTAL_SMS_BACKEND": "portal.accounts.sms.LoggingSMSBackend"}, "PORTAL_SMS_BACKEND"),
        ({"SMS_GATEWAY_URL": None}, "SMS_GATEWAY_URL"),
        ({"ID_HASH_SECRET": None}, "ID_HASH_SECRET"),
    ],
)
def test_check_deploy_names_the_missing_identity_setting(override, named):
    result = check_deploy(production_env(**override))
    assert result.returncode != 0
    assert named in result.stdout + result.stderr
