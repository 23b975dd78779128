"""JS-SDK signatures for pages opened inside WeChat: the share script on a notice, and `wx.config`'s
signature over the stand-in's jsapi ticket."""

import hashlib

from django.core.cache import cache

from portal.wechat.models import Account

WECHAT_UA = "Mozilla/5.0 (Linux; Android 14) MicroMessenger/8.0.50.2701 NetType/WIFI Language/zh_CN"
TICKET = "/cgi-bin/ticket/getticket"


def test_a_notice_opened_in_wechat_gets_its_share_data_and_a_valid_signature(make_account, standin, city, client):
    from tests.portal.search.helpers import add_notice

    make_account(kind=Account.Kind.SERVICE)
    notice = add_notice(city["a1"], "停水通知", "water")
    path = notice.relative_url(city["a1"].site)
    page = client.get(path, HTTP_HOST="a1.localhost", HTTP_USER_AGENT=WECHAT_UA).content.decode()
    assert "wechat-share.js" in page and 'data-title="停水通知"' in page  # the script acts in WeChat only
    assert "wechat-share.js" not in client.get("/", HTTP_HOST="b1.localhost").content.decode()  # no account

    url = f"http://a1.localhost{path}"
    configs = [client.get("/wechat-auth/jssdk/", {"url": url}, HTTP_HOST="a1.localhost").json() for _ in range(2)]
    assert standin.counts[TICKET] == 1  # the ticket is kept in the cache
    for config in configs:
        assert config["appId"] == "wx0123456789abcdef"
        assert len(config["signature"]) == 40
    ticket = cache.get("wechat:jsapi:wx0123456789abcdef")
    config = configs[0]
    signed = f"jsapi_ticket={ticket}&noncestr={config['nonceStr']}&timestamp={config['timestamp']}&url={url}"
    assert config["signature"] == hashlib.sha1(signed.encode()).hexdigest()
    other = client.get("/wechat-auth/jssdk/", {"url": "http://evil.example/"}, HTTP_HOST="a1.localhost")
    assert other.status_code == 400


def test_the_share_script_follows_the_account_from_the_site_map_without_a_query(make_account, city, client):
    """Whether a site's community has a service account is a fact of the per-process site map: rendering asks
    neither the database nor the cache, and saving or deleting an account reloads the map."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def share_script_on_a1_home():
        return "wechat-share.js" in client.get("/", HTTP_HOST="a1.localhost").content.decode()

    assert not share_script_on_a1_home()
    account = make_account(kind=Account.Kind.SUBSCRIPTION)
    assert not share_script_on_a1_home()  # a subscription account cannot sign JS-SDK pages
    account.kind = Account.Kind.SERVICE
    account.save()
    assert share_script_on_a1_home()
    with CaptureQueriesContext(connection) as captured:
        assert share_script_on_a1_home()
    assert not [q["sql"] for q in captured.captured_queries if "wechat_account" in q["sql"]]
    account.delete()
    assert not share_script_on_a1_home()
