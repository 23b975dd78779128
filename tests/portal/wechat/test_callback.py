"""The callback over real HTTP, with WeChat's side played by wechatpy's own crypto."""

import logging
import time

import pytest
import requests
from wechatpy.crypto import WeChatCrypto

from portal.wechat import handlers
from portal.wechat.callback import signature_of
from portal.wechat.models import Account, Follower, KeywordReply, KeywordReplyPage
from portal.wechat.simulator import event_xml, text_xml

from .conftest import CUSTOM, TOKEN, new_aes_key, reply_fields


@pytest.fixture
def keyword(city):
    return KeywordReply.objects.create(community=city["a1"], keyword="停车", reply_text="停车请到东门。")


@pytest.fixture
def counting_handler():
    """A handler tried before all others that counts what reaches it and answers 'counted'."""
    seen = []

    def count(account, message):
        if message.type == "text" and message.content.startswith("count"):
            seen.append(message.id)
            return f"counted {len(seen)}"
        return None

    handlers.register(count, priority=-1)
    yield seen
    handlers.unregister(count)


def test_handshake_echoes_the_echostr(make_account, wechat_server):
    server = wechat_server(make_account())
    response = server.handshake("echo-7781")
    assert response.status_code == 200
    assert response.text == "echo-7781"


def test_plaintext_message_gets_the_keyword_reply(make_account, wechat_server, keyword):
    server = wechat_server(make_account(mode=Account.Mode.PLAINTEXT))
    response = server.post_plain(text_xml("停车"))
    assert response.status_code == 200
    fields = reply_fields(response)
    assert fields["MsgType"] == "text"
    assert fields["Content"] == "停车请到东门。"
    assert fields["ToUserName"] == "oFollower1"
    account = Account.objects.get()
    assert account.last_message == "text" and account.last_message_at is not None


def test_the_last_message_is_written_at_most_once_per_interval(make_account, wechat_server, keyword, settings):
    """The admin's "last message received" costs one write per account per interval, not one per message."""
    settings.WECHAT_LAST_MESSAGE_SECONDS = 30
    server = wechat_server(make_account(mode=Account.Mode.PLAINTEXT))
    assert server.post_plain(text_xml("停车", msg_id="1")).status_code == 200
    first = Account.objects.get().last_message_at
    assert server.post_plain(text_xml("停车", msg_id="2")).status_code == 200
    assert Account.objects.get().last_message_at == first  # a second write would have moved it


def test_safe_mode_message_gets_an_encrypted_reply(make_account, wechat_server, keyword):
    server = wechat_server(make_account(mode=Account.Mode.SAFE))
    response = server.post_encrypted(text_xml("停车"))
    assert response.status_code == 200
    assert "停车".encode() not in response.content  # encrypted
    fields = server.decrypt_reply(response)
    assert fields["Content"] == "停车请到东门。"
    assert fields["ToUserName"] == "oFollower1"


def test_compatible_mode_accepts_both_and_answers_in_kind(make_account, wechat_server, keyword):
    server = wechat_server(make_account(mode=Account.Mode.COMPATIBLE))
    assert reply_fields(server.post_plain(text_xml("停车")))["Content"] == "停车请到东门。"
    assert server.decrypt_reply(server.post_encrypted(text_xml("停车")))["Content"] == "停车请到东门。"


def test_contains_keyword_and_exact_before_contains(make_account, wechat_server, city):
    KeywordReply.objects.create(community=city["a1"], keyword="垃圾", match="contains", reply_text="分类指南")
    KeywordReply.objects.create(community=city["a1"], keyword="垃圾分类", match="contains", reply_text="更具体")
    KeywordReply.objects.create(community=city["a1"], keyword="垃圾", match="exact", reply_text="精确")
    KeywordReply.objects.create(community=city["b1"], keyword="门禁", match="contains", reply_text="别的社区")
    server = wechat_server(make_account(mode=Account.Mode.PLAINTEXT))
    assert reply_fields(server.post_plain(text_xml("垃圾")))["Content"] == "精确"
    assert reply_fields(server.post_plain(text_xml("请问垃圾怎么扔")))["Content"] == "分类指南"
    assert reply_fields(server.post_plain(text_xml("垃圾分类时间")))["Content"] == "更具体"
    # another community's keyword does not answer here (the search does, later, through the API)
    assert server.post_plain(text_xml("门禁卡")).text == "success"


def test_keyword_reply_links_the_community_pages(make_account, wechat_server, city):
    reply = KeywordReply.objects.create(community=city["a1"], keyword="首页", reply_text="看这里")
    KeywordReplyPage.objects.create(reply=reply, page=city["a1"].root_page)
    server = wechat_server(make_account(mode=Account.Mode.PLAINTEXT))
    content = reply_fields(server.post_plain(text_xml("首页")))["Content"]
    assert content.startswith('看这里\n<a href="http://a1.localhost')
    assert city["a1"].root_page.title in content


def test_the_same_message_three_times_is_handled_once(make_account, wechat_server, counting_handler):
    server = wechat_server(make_account(mode=Account.Mode.SAFE))
    xml = text_xml("count me", msg_id="777000111")
    answers = [server.decrypt_reply(server.post_encrypted(xml))["Content"] for _ in range(3)]
    assert counting_handler == [777000111]
    assert answers == ["counted 1"] * 3  # the retries get the first answer again
    server.post_encrypted(text_xml("count me again", msg_id="777000112"))
    assert counting_handler == [777000111, 777000112]


def test_subscribe_welcomes_with_a_link_and_unsubscribe_is_recorded(make_account, wechat_server):
    account = make_account(mode=Account.Mode.PLAINTEXT, welcome_text="欢迎关注翠园！")
    server = wechat_server(account)
    created = int(time.time())
    first = reply_fields(server.post_plain(event_xml("subscribe", created=created)))
    assert first["Content"].startswith('欢迎关注翠园！\n<a href="http://a1.localhost')
    server.post_plain(event_xml("subscribe", created=created))  # WeChat's retry of the same event
    follower = Follower.objects.get()
    assert follower.subscribed and follower.openid == "oFollower1"
    response = server.post_plain(event_xml("unsubscribe", created=created + 1))
    assert response.text == "success"
    follower.refresh_from_db()
    assert not follower.subscribed and follower.unsubscribed_at is not None


def test_a_menu_click_is_answered_like_a_keyword(make_account, wechat_server, keyword):
    server = wechat_server(make_account(mode=Account.Mode.PLAINTEXT))
    assert reply_fields(server.post_plain(event_xml("CLICK", key="停车")))["Content"] == "停车请到东门。"


def test_other_text_is_searched_in_a_task_and_answered_through_the_customer_service_api(
    make_account, wechat_server, standin, city
):
    from tests.portal.search.helpers import add_notice

    add_notice(city["a1"], "停水通知", "water")
    add_notice(city["b1"], "停水通知", "water-b")  # another community's: not offered
    server = wechat_server(make_account(mode=Account.Mode.PLAINTEXT))
    response = server.post_plain(text_xml("停水", openid="oSearcher"))
    assert response.text == "success"  # nothing slow in the callback
    response = server.post_plain(text_xml("没有这种东西xyz", openid="oSearcher"))
    found, nothing = standin.sent(CUSTOM)
    assert found["touser"] == "oSearcher" and found["msgtype"] == "text"
    assert "停水通知" in found["text"]["content"] and "http://a1.localhost" in found["text"]["content"]
    assert "b1.localhost" not in found["text"]["content"]
    assert "没有这种东西xyz" in nothing["text"]["content"]  # "nothing matches ..." names the query


def test_the_search_answer_is_not_sent_to_a_follower_who_left(make_account, standin):
    from portal.wechat.models import Follower
    from portal.wechat.tasks import answer_by_search

    account = make_account()
    Follower.objects.create(account=account, openid="oGone", subscribed=False)
    assert answer_by_search.enqueue(account.pk, "oGone", "停水").return_value == "unsubscribed"
    assert answer_by_search.enqueue(account.pk, "oStays", "停水").return_value == "sent"
    assert [m["touser"] for m in standin.sent(CUSTOM)] == ["oStays"]


# Bad input: a 4xx and one log line each, never a 500 ---------------------------------------------


ENTITIES = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aa"><!ENTITY b "&a;&a;">]><xml><Encrypt>&b;</Encrypt></xml>'


def bad_requests(server, account):
    """name -> a function sending one bad request."""
    good = text_xml("count me")  # were it accepted, the counting handler would see it

    def old():  # computed when sent: the window is 300 seconds either way
        return int(time.time()) - 301

    def future():  # a future timestamp nears the window as time passes: well outside it
        return int(time.time()) + 360

    other_app = WeChatCrypto(TOKEN, account.aes_key, "wx1111111111111111")
    other_key = WeChatCrypto(TOKEN, new_aes_key(), account.app_id)

    def post_raw(body, params=None, **extra):
        return requests.post(server.url, params=params or server.params(), data=body, timeout=10, **extra)

    def with_encrypted(xml, **kwargs):
        params, body = server.encrypt(xml, **kwargs)
        return params, body

    def wrong_msg_signature():
        params, body = with_encrypted(good)
        return post_raw(body.encode(), {**params, "msg_signature": "0" * 40})

    def bad_base64():
        params, body = server.encrypt(good)
        body = "<xml><Encrypt><![CDATA[%%%not-base64%%%]]></Encrypt></xml>"
        params["msg_signature"] = signature_of(TOKEN, params["timestamp"], params["nonce"], "%%%not-base64%%%")
        return post_raw(body.encode(), params)

    return {
        "handshake_wrong_signature": (403, lambda: server.handshake(signature="0" * 40)),
        "handshake_missing_nonce": (400, lambda: server.handshake(nonce="")),
        "handshake_old_timestamp": (403, lambda: server.handshake(**server.params(old()))),
        "handshake_future_timestamp": (403, lambda: server.handshake(**server.params(future()))),
        "handshake_timestamp_not_a_number": (400, lambda: server.handshake(timestamp="12a")),
        "wrong_msg_signature": (403, wrong_msg_signature),
        "another_app_id": (403, lambda: server.post_encrypted(good, crypto=other_app)),
        "another_aes_key": (400, lambda: server.post_encrypted(good, crypto=other_key)),
        "old_encrypted_message": (403, lambda: server.post_encrypted(good, timestamp=old())),
        "future_encrypted_message": (403, lambda: server.post_encrypted(good, timestamp=future())),
        "plaintext_to_a_safe_account": (400, lambda: server.post_plain(good)),
        "bad_base64": (400, bad_base64),
        "malformed_xml": (
            400,
            lambda: post_raw(b"<xml><Encrypt>", {**server.params(), "encrypt_type": "aes", "msg_signature": "x"}),
        ),
        "entity_expansion": (
            400,
            lambda: post_raw(
                ENTITIES,
                {**server.params(), "encrypt_type": "aes", "msg_signature": "x"},
            ),
        ),
        "oversized_body": (413, lambda: post_raw(b"<xml>" + b"a" * 70000 + b"</xml>")),
        "empty_body": (400, lambda: post_raw(b"")),
        "wrong_method": (405, lambda: requests.put(server.url, params=server.params(), timeout=10)),
        "unknown_community": (
            404,
            lambda: requests.get(server.url.replace("/a1/", "/nowhere/"), params=server.params(), timeout=10),
        ),
    }


def test_every_bad_input_is_a_4xx_with_one_log_line(make_account, wechat_server, counting_handler, caplog):
    """One test for all (a live-server test costs a database flush): each bad request, its status,
    exactly one log line that names no secret, and nothing reached the handlers."""
    account = make_account(mode=Account.Mode.SAFE)
    server = wechat_server(account)
    cases = bad_requests(server, account)
    assert len(cases) == 18
    wrong = {}
    for name, (status, send) in cases.items():
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="portal.wechat"):
            response = send()
        lines = [r.getMessage() for r in caplog.records if r.name == "portal.wechat" and "refused" in r.getMessage()]
        if response.status_code != status or len(lines) != 1 or any(TOKEN in line for line in lines):
            wrong[name] = (response.status_code, response.text[:80], lines)
    assert wrong == {}
    assert counting_handler == []


def test_an_encrypted_message_to_a_plaintext_account_is_refused(make_account, wechat_server):
    server = wechat_server(make_account(mode=Account.Mode.PLAINTEXT))
    assert server.post_encrypted(text_xml("停车")).status_code == 400


def test_an_incomplete_account_refuses_everything(make_account, wechat_server):
    account = make_account(mode=Account.Mode.SAFE)
    Account.objects.filter(pk=account.pk).update(aes_key_encrypted="")
    server = wechat_server(account)
    assert server.handshake().status_code == 404


def test_a_text_message_reads_no_configuration_from_the_database(make_account, keyword):
    """Accounts and keyword replies come from this process's map (portal.wechat.config), which a change forgets."""
    from urllib.parse import urlencode

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.wechat.simulator import WeChatServer

    account = make_account(mode=Account.Mode.SAFE)
    server = WeChatServer("/wechat/a1/", TOKEN, account.aes_key, account.app_id)
    client = Client()

    def post(content, msg_id):
        params, body = server.encrypt(text_xml(content, msg_id=msg_id))
        return client.post("/wechat/a1/?" + urlencode(params), body, content_type="text/xml")

    assert post("停车", 1).status_code == 200  # loads the map
    with CaptureQueriesContext(connection) as queries:
        response = post("停车", 2)
    assert response.status_code == 200
    tables = [q["sql"] for q in queries.captured_queries]
    assert not any("wechat_account" in sql and sql.startswith("SELECT") for sql in tables), tables
    assert not any('FROM "wechat_keywordreply"' in sql for sql in tables), tables
    # the complaints' start words and the reply's links come from the map too; the last message was noted
    assert tables == [], tables
    keyword.reply_text = "停车请到西门。"
    keyword.save()  # the map forgets
    response = post("停车", 3)
    fields = reply_fields(response)
    decrypted = WeChatCrypto(TOKEN, account.aes_key, account.app_id).decrypt_message(
        response.content, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]
    )
    assert "停车请到西门。" in decrypted


def test_a_keyword_replys_links_follow_their_pages(city, make_account, keyword):
    """The reply's links are in this process's map: unpublishing a linked page renews it."""
    from urllib.parse import urlencode

    from django.test import Client

    from portal.wechat.simulator import WeChatServer

    account = make_account(mode=Account.Mode.PLAINTEXT)
    home = city["a1"].root_page.specific
    KeywordReplyPage.objects.create(reply=keyword, page=home)
    client = Client()

    server = WeChatServer("/wechat/a1/", TOKEN, account.aes_key, account.app_id)

    def answer(msg_id):
        body = text_xml("停车", msg_id=msg_id).encode()
        response = client.post("/wechat/a1/?" + urlencode(server.params()), body, content_type="text/xml")
        return reply_fields(response)["Content"]

    assert home.title in answer(1)
    home.unpublish()
    later = answer(2)
    assert home.title not in later and "停车请到东门。" in later
