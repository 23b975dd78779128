"""Deployment settings: the system check names each unsafe setting; production refuses to start unsafely;
the session and CSRF cookies follow PORTAL_BASE_DOMAIN."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from portal.core.checks import production_settings
from portal.settings.base import DEV_ID_HASH_SECRET, DEV_SECRET_KEY

GOOD_KEY = "k" * 64
SAFE = {
    "SECRET_KEY": GOOD_KEY,
    "DEBUG": False,
    "PORTAL_BASE_DOMAIN": "shequ.example.gov.cn",
    "REDIS_URL": "redis://redis:6379/0",
}


def problems(**overrides):
    with override_settings(**{**SAFE, **overrides}):
        return {p.id: p.msg for p in production_settings(None)}


def test_safe_settings_report_nothing_but_sqlite():
    found = problems()
    on_sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    assert set(found) == ({"portal.W001"} if on_sqlite else set())
    if on_sqlite:
        assert "DATABASE_URL" in found["portal.W001"]


@pytest.mark.parametrize(
    ("overrides", "check_id", "setting"),
    [
        ({"SECRET_KEY": DEV_SECRET_KEY}, "portal.E001", "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "portal.E001", "SECRET_KEY"),
        ({"DEBUG": True}, "portal.E002", "DEBUG"),
        ({"PORTAL_BASE_DOMAIN": "localhost"}, "portal.E003", "PORTAL_BASE_DOMAIN"),
        ({"PORTAL_BASE_DOMAIN": ""}, "portal.E003", "PORTAL_BASE_DOMAIN"),
        ({"REDIS_URL": ""}, "portal.E004", "REDIS_URL"),
    ],
)
def test_each_unsafe_setting_is_reported_by_name(overrides, check_id, setting):
    found = problems(**overrides)
    assert check_id in found
    assert setting in found[check_id]


def test_check_deploy_fails_on_the_development_settings():
    unsafe = override_settings(SECRET_KEY=DEV_SECRET_KEY, DEBUG=True, PORTAL_BASE_DOMAIN="localhost", REDIS_URL="")
    with unsafe, pytest.raises(SystemCheckError) as caught:
        call_command("check", "--deploy", "--fail-level", "ERROR")
    message = str(caught.value)
    for name in ("SECRET_KEY", "DEBUG", "PORTAL_BASE_DOMAIN", "REDIS_URL"):
        assert name in message


def test_plain_check_does_not_run_the_deploy_checks():
    with override_settings(SECRET_KEY=DEV_SECRET_KEY, DEBUG=True):
        call_command("check")


def python(code: str, **env):
    """Run code in a fresh interpreter with the given environment (settings are read at import)."""
    base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "PORTAL_BASE_DOMAIN")}
    base.pop("SESSION_COOKIE_DOMAIN", None)
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={k: v for k, v in {**base, **env}.items() if v is not None},  # None: not set at all
        cwd=settings.BASE_DIR,
        timeout=120,
    )


IMPORT_PRODUCTION = "import portal.settings.production as s; print('started', s.DEBUG)"
# What a production deployment sets besides SECRET_KEY (docs/deploy.md, "Required").
PRODUCTION = {
    "SECRET_KEY": GOOD_KEY,
    "PORTAL_BASE_DOMAIN": "shequ.example.gov.cn",
    "REDIS_URL": "redis://127.0.0.1:6379/3",
    "ID_HASH_SECRET": "i" * 40,
    "PORTAL_SMS_BACKEND": "portal.accounts.sms.HttpGatewaySMSBackend",
    "SMS_GATEWAY_URL": "https://sms.example.gov.cn/send",
    "SMS_GATEWAY_TOKEN": "t" * 24,
    "WECHAT_SECRET_KEYS": "bm90LWEtZGV2ZWxvcG1lbnQta2V5LWZvci10ZXN0cyE=",
}


def test_production_refuses_debug_on():
    result = python(IMPORT_PRODUCTION, SECRET_KEY=GOOD_KEY, DEBUG="1")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "DEBUG" in result.stderr


@pytest.mark.parametrize("key", [None, DEV_SECRET_KEY, "too-short"])
def test_production_refuses_the_development_or_a_weak_key(key):
    env = {"SECRET_KEY": key} if key else {}
    result = python(IMPORT_PRODUCTION, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr


def test_production_starts_with_safe_settings():
    result = python(IMPORT_PRODUCTION, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "started False" in result.stdout


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"ID_HASH_SECRET": None}, "ID_HASH_SECRET"),
        ({"ID_HASH_SECRET": DEV_ID_HASH_SECRET}, "ID_HASH_SECRET"),
        ({"ID_HASH_SECRET": "short"}, "ID_HASH_SECRET"),
        ({"PORTAL_SMS_BACKEND": None}, "PORTAL_SMS_BACKEND"),
        ({"PORTAL_SMS_BACKEND": "portal.accounts.sms.LoggingSMSBackend"}, "PORTAL_SMS_BACKEND"),
        ({"PORTAL_SMS_BACKEND": "portal.accounts.sms.OutboxSMSBackend"}, "PORTAL_SMS_BACKEND"),
        ({"SMS_GATEWAY_URL": None}, "SMS_GATEWAY_URL"),
        ({"SMS_GATEWAY_TOKEN": None}, "SMS_GATEWAY_TOKEN"),
        ({"PORTAL_BASE_DOMAIN": None}, "PORTAL_BASE_DOMAIN"),
        ({"PORTAL_BASE_DOMAIN": "localhost"}, "PORTAL_BASE_DOMAIN"),
        ({"REDIS_URL": None}, "REDIS_URL"),
        ({"WECHAT_SECRET_KEYS": None}, "WECHAT_SECRET_KEYS"),
        ({"SECRET_KEY": None}, "SECRET_KEY"),
    ],
)
def test_production_refuses_each_development_secret_or_backend_by_name(override, named):
    result = python(IMPORT_PRODUCTION, **{**PRODUCTION, **override})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and named in result.stderr.splitlines()[-1]


def settings_variables() -> set[str]:
    """Every environment variable the settings of a deployment read (base and production)."""
    names = set()
    for module in ("base.py", "production.py"):
        source = (Path(settings.BASE_DIR) / "portal" / "settings" / module).read_text(encoding="utf-8")
        names |= set(re.findall(r"os\.environ(?:\.get)?[(\[]\s*\"([A-Z0-9_]+)\"", source))
    return names


def test_docs_deploy_lists_every_variable_the_settings_read():
    documented = set(
        re.findall(r"`([A-Z][A-Z0-9_]{2,})`", (Path(settings.BASE_DIR) / "docs" / "deploy.md").read_text())
    )
    read = settings_variables()
    assert {"SECRET_KEY", "ID_HASH_SECRET", "SMS_GATEWAY_URL", "PORTAL_SMS_BACKEND", "OPEN311_URL"} <= read
    assert read - documented == set(), "read by the settings but missing from docs/deploy.md"
    assert {name for name in documented - read if name not in DOCUMENTED_NOT_READ} == set(), (
        "in docs/deploy.md but read by no setting"
    )


DOCUMENTED_NOT_READ = {"DJANGO_SETTINGS_MODULE", "ALLOWED_HOSTS", "INFO"}  # a variable, a setting, a value


CONN_MAX_AGE = "import portal.settings.{} as s; print('kept', s.DATABASES['default']['CONN_MAX_AGE'])"


@pytest.mark.parametrize("url", ["sqlite:////tmp/portal.sqlite3", "postgres://portal@127.0.0.1:5432/portal"])
def test_production_keeps_database_connections_between_requests(url):
    result = python(CONN_MAX_AGE.format("production"), **PRODUCTION, DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert "kept 60" in result.stdout
    result = python(CONN_MAX_AGE.format("production"), **PRODUCTION, DATABASE_URL=url, DB_CONN_MAX_AGE="5")
    assert "kept 5" in result.stdout


def test_development_opens_a_sqlite_connection_per_request():
    result = python(CONN_MAX_AGE.format("dev"), DATABASE_URL="sqlite:////tmp/portal.sqlite3")
    assert result.returncode == 0, result.stderr
    assert "kept 0" in result.stdout


COOKIE_DOMAINS = (
    "import portal.settings.base as s; "
    "print(repr(s.SESSION_COOKIE_DOMAIN), repr(s.CSRF_COOKIE_DOMAIN), s.ALLOWED_HOSTS[:2], s.CSRF_TRUSTED_ORIGINS)"
)


def test_cookies_are_shared_across_the_subdomains_of_a_real_domain():
    result = python(COOKIE_DOMAINS, PORTAL_BASE_DOMAIN="Shequ.Example.gov.cn")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("'.shequ.example.gov.cn' '.shequ.example.gov.cn'")
    assert "['shequ.example.gov.cn', '.shequ.example.gov.cn']" in result.stdout
    assert "https://*.shequ.example.gov.cn" in result.stdout


def test_localhost_gives_host_only_cookies():
    """Chromium rejects Domain=localhost cookies, so development cookies carry no Domain at all."""
    result = python(COOKIE_DOMAINS, PORTAL_BASE_DOMAIN="localhost")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("None None")


def test_login_sets_the_session_cookie_for_the_whole_domain(db, make_user):
    from django.test import Client

    make_user("wang_ayi")
    with override_settings(SESSION_COOKIE_DOMAIN=".shequ.example.gov.cn", CSRF_COOKIE_DOMAIN=".shequ.example.gov.cn"):
        client = Client(HTTP_HOST="a1.shequ.example.gov.cn")
        client.post("/accounts/login/", {"username": "wang_ayi", "password": "pw-for-tests-1"})
    assert client.cookies[settings.SESSION_COOKIE_NAME]["domain"] == ".shequ.example.gov.cn"
