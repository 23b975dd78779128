"""A community with a WeChat account, and a stand-in for WeChat's servers that signs and encrypts
with wechatpy's own crypto."""

import base64
import os

import pytest

from portal.wechat.models import Account
from portal.wechat.simulator import WeChatServer, fields_of
from portal.wechat.standin import WeChatStandIn

TOKEN = "test-token-123"
APP_ID = "wx0123456789abcdef"
SECRET = "0123456789abcdef0123456789abcdef"
STABLE = "/cgi-bin/stable_token"
CUSTOM = "/cgi-bin/message/custom/send"


def new_aes_key() -> str:
    return base64.b64encode(os.urandom(32)).decode().rstrip("=")


@pytest.fixture
def make_account(city):
    def make(slug="a1", mode=Account.Mode.SAFE, app_id=APP_ID, **fields):
        account = Account(community=city[slug], name=f"{slug} 公众号", app_id=app_id, mode=mode, **fields)
        account.app_secret = SECRET
        account.token = TOKEN
        account.aes_key = new_aes_key()
        account.save()
        return account

    return make


def reply_fields(response) -> dict:
    return fields_of(response.content)


@pytest.fixture
def wechat_server(live_server):
    def make(account, token=TOKEN):
        url = f"{live_server.url}/wechat/{account.community.slug}/"
        return WeChatServer(url, token, account.aes_key, account.app_id)

    return make


@pytest.fixture
def standin(settings):
    """WeChat's API on a loopback port, where the portal's client is pointed."""
    server = WeChatStandIn({APP_ID: SECRET}).start()
    settings.WECHAT_API_BASE_URL = server.url
    yield server
    server.stop()
