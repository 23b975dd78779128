"""The demo account, the management commands and the system checks."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from communities.regions.provisioning import provision_community
from communities.wechat.demo import DEMO_AES_KEY, DEMO_APP_ID, DEMO_TOKEN, seed_demo_wechat
from portal.wechat import checks
from portal.wechat.models import Account


@pytest.fixture
def cuiyuan(city):
    return provision_community("翠园社区", "cuiyuan", "street-a").obj


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_demo_account_is_seeded_once(cuiyuan):
    account = seed_demo_wechat()
    assert seed_demo_wechat().pk == account.pk
    assert Account.objects.count() == 1 and account.missing() == []
    assert account.community.wechat_keywords.count() == 2


def test_show_test_credentials_prints_key_value_lines(cuiyuan, settings):
    settings.DEBUG = True
    seed_demo_wechat()
    lines = run("wechat_account", "cuiyuan", "--show-test-credentials").splitlines()
    values = dict(line.split("=", 1) for line in lines)
    assert list(values) == ["URL", "APPID", "TOKEN", "AES_KEY"]
    assert values["URL"].endswith("/wechat/cuiyuan/")
    assert (values["APPID"], values["TOKEN"], values["AES_KEY"]) == (DEMO_APP_ID, DEMO_TOKEN, DEMO_AES_KEY)


def test_show_test_credentials_is_refused_with_debug_off(cuiyuan, settings):
    settings.DEBUG = False
    seed_demo_wechat()
    with pytest.raises(CommandError, match="DEBUG"):
        run("wechat_account", "cuiyuan", "--show-test-credentials")


def test_unknown_community_is_a_command_error(city):
    with pytest.raises(CommandError, match="no WeChat account"):
        run("wechat_account", "nowhere")


def test_rotate_secrets_re_encrypts_with_the_newest_key(cuiyuan, settings):
    from cryptography.fernet import Fernet

    account = seed_demo_wechat()
    settings.WECHAT_SECRET_KEYS = [Fernet.generate_key().decode(), *settings.WECHAT_SECRET_KEYS]
    assert "1 account" in run("wechat_account", "--rotate-secrets")
    settings.WECHAT_SECRET_KEYS = settings.WECHAT_SECRET_KEYS[:1]
    account = Account.objects.get(pk=account.pk)
    assert (account.token, account.aes_key) == (DEMO_TOKEN, DEMO_AES_KEY)


def test_deploy_check_names_a_missing_or_development_key(settings):
    from cryptography.fernet import Fernet

    from portal.wechat.secrets import DEV_KEY

    for keys in ([], [DEV_KEY]):
        settings.WECHAT_SECRET_KEYS = keys
        assert [e.id for e in checks.secret_keys(None)] == ["wechat.E001"]
    settings.WECHAT_SECRET_KEYS = ["not-a-key"]
    assert [e.id for e in checks.secret_keys(None)] == ["wechat.E002"]
    settings.WECHAT_SECRET_KEYS = [Fernet.generate_key().decode()]
    assert checks.secret_keys(None) == []


def test_check_names_every_incomplete_account(cuiyuan, city):
    seed_demo_wechat()
    incomplete = Account(community=city["b1"], name="b1", app_id="wx00000000000000bb", mode=Account.Mode.SAFE)
    incomplete.token = "tok3n"
    incomplete.save()
    warnings = checks.incomplete_accounts(None, databases=["default"])
    assert checks.incomplete_accounts(None) == []  # a bare `check` does not read the database
    assert [w.id for w in warnings] == ["wechat.W001"]
    assert "b1" in warnings[0].msg and "app secret" in warnings[0].msg and "EncodingAESKey" in warnings[0].msg


def test_wechat_send_plays_wechat_against_the_demo(cuiyuan, live_server):
    seed_demo_wechat()
    out = run("wechat_send", "cuiyuan", "停车", "--base-url", live_server.url)
    assert "东门" in out
    welcome = run("wechat_send", "cuiyuan", "--event", "subscribe", "--base-url", live_server.url)
    assert "欢迎关注翠园社区" in welcome and "cuiyuan.localhost" in welcome
