"""WeChat's API through the shared-token client, against the stand-in on a loopback port."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from wechatpy.exceptions import APILimitedException, WeChatClientException

from portal.wechat.client import Client
from portal.wechat.standin import JPEG, WeChatStandIn

from .conftest import APP_ID, CUSTOM, SECRET, STABLE


@pytest.fixture
def client(standin, make_account):
    return Client.for_account(make_account())


def test_the_token_is_fetched_once_and_shared_through_the_cache(client, standin):
    client.message.send_text("oFollower1", "你好")
    client.message.send_text("oFollower1", "再见")
    Client(APP_ID, SECRET).message.send_text("oFollower2", "另一个进程的客户端")
    assert standin.counts[STABLE] == 1
    assert standin.counts["/cgi-bin/token"] == 0  # never the endpoint that invalidates other processes' tokens
    assert [m["text"]["content"] for m in standin.sent(CUSTOM)] == ["你好", "再见", "另一个进程的客户端"]


@pytest.mark.parametrize("expire", ["42001", "40001"])
def test_a_refused_token_makes_one_refresh_and_one_retry(client, standin, expire):
    client.message.send_text("oFollower1", "first")
    if expire == "42001":
        standin.expire_tokens()
    else:
        standin.fail_next(40001)
    client.message.send_text("oFollower1", "second")
    assert standin.counts[STABLE] == 2
    assert standin.counts[CUSTOM] == 3  # first, the refused one, its retry
    assert [m["text"]["content"] for m in standin.sent(CUSTOM)] == ["first", "second"]


def test_a_token_refused_twice_is_not_retried_again(client, standin):
    client.message.send_text("oFollower1", "first")
    standin.fail_next(40001, 40001, 40001)
    with pytest.raises(WeChatClientException) as raised:
        client.message.send_text("oFollower1", "second")
    assert raised.value.errcode == 40001
    assert standin.counts[CUSTOM] == 3 and standin.counts[STABLE] == 2


def test_not_authorised_is_recorded_for_the_admin_and_not_retried(client, standin):
    from portal.wechat.models import Account

    standin.fail_next(48001)
    with pytest.raises(WeChatClientException) as raised:
        client.menu.create({"button": [{"type": "click", "name": "停车", "key": "停车"}]})
    assert raised.value.errcode == 48001
    assert standin.counts["/cgi-bin/menu/create"] == 1
    account = Account.objects.get()
    assert account.last_error.startswith("48001") and account.last_error_at is not None
    assert standin.current[APP_ID] not in account.last_error


def test_rate_limit_is_raised_for_the_caller_to_back_off(client, standin):
    standin.fail_next(45009)
    with pytest.raises(APILimitedException):
        client.message.send_text("oFollower1", "x")
    assert standin.counts[CUSTOM] == 1


def test_menu_template_and_media(client, standin):
    menu = {"button": [{"type": "click", "name": "停车", "key": "停车"}]}
    assert client.menu.create(menu)["errcode"] == 0
    assert standin.sent("/cgi-bin/menu/create") == [menu]
    result = client.message.send_template("oFollower1", "TEMPLATE_1", {"first": {"value": "状态更新"}})
    assert result["msgid"] >= 1000
    standin.media["MEDIA_1"] = JPEG
    assert client.media.download("MEDIA_1").content == JPEG
    with pytest.raises(WeChatClientException) as raised:
        client.media.download("NO_SUCH_MEDIA")
    assert raised.value.errcode == 40007


def test_a_wrong_secret_is_an_error_not_a_token(standin, make_account):
    client = Client(APP_ID, "wrong-secret")
    with pytest.raises(WeChatClientException) as raised:
        client.message.send_text("oFollower1", "x")
    assert raised.value.errcode == 40125
    assert standin.counts[CUSTOM] == 0


ASK_FOR_TOKEN = """
import sys, django
django.setup()
from portal.wechat.client import Client
client = Client(sys.argv[1], sys.argv[2])
print("ready", flush=True)
sys.stdin.readline()  # every process starts at once
print(client.access_token, flush=True)
"""


@pytest.mark.redis_only
def test_eight_processes_asking_at_once_make_one_refresh(settings):
    """Eight processes share the cache (Redis); the stand-in takes a while to answer, so they all ask
    while the first refresh is under way, and all get the one token it issued."""
    standin = WeChatStandIn({APP_ID: SECRET}, token_delay=0.5).start()
    try:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "WECHAT_API_BASE_URL": standin.url}
        root = Path(__file__).resolve().parents[3]
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", ASK_FOR_TOKEN, APP_ID, SECRET],
                cwd=root,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(8)
        ]
        for process in processes:
            assert process.stdout.readline().strip() == "ready"
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        tokens = [process.communicate(timeout=60)[0].strip() for process in processes]
        assert all(process.returncode == 0 for process in processes)
        assert len(set(tokens)) == 1 and tokens[0]
        assert standin.counts[STABLE] == 1
    finally:
        standin.stop()


def test_an_unreachable_api_is_an_api_error_recorded_for_the_admin(client, standin):
    from portal.wechat.models import Account

    client.message.send_text("oFollower1", "first")
    standin.stop()
    with pytest.raises(WeChatClientException):
        client.message.send_text("oFollower1", "second")
    assert Account.objects.get().last_error.startswith("None network")
