"""Sensitive words, rate limits, new-account limits and pre-moderation, through the forum's views."""

import pytest
from django.core.cache import cache

from participation.forums.models import Post, Thread
from participation.moderation.models import ModerationPolicy, SensitiveWord
from tests.participation.forums.helpers import errors, reply, start_thread


@pytest.fixture
def thread(categories, make_user, host_client, trusted, city):
    trusted(city["a1"])
    return start_thread(host_client("a1.localhost", make_user("op")), categories["a1"])


def test_blocked_word_refused_with_message_and_nothing_saved(thread, city, resident, host_client, trusted):
    SensitiveWord.objects.create(community=None, word="赌博", action="block")
    client = host_client("a1.localhost", resident)
    for body in ("来赌博", "来 赌 博", "来ｄ赌.博"):
        response = reply(client, thread, body=body)
        assert response.status_code == 400
        assert "赌博" in errors(response)
    response = client.post("/forum/new/", {"category": thread.category_id, "title": "赌　博", "body": "x"})
    assert response.status_code == 400
    assert Post.objects.count() == 1


def test_review_word_holds_the_post(thread, city, resident, host_client, make_user):
    SensitiveWord.objects.create(community=city["a1"], word="物业费", action="review")
    client = host_client("a1.localhost", resident)
    assert reply(client, thread, body="物 业 费 又涨了").status_code == 302
    post = Post.objects.get(thread=thread, number=2)
    assert post.moderation_state == "pending"
    assert "物 业 费" in client.get(f"/forum/t/{thread.pk}/").content.decode()  # the author sees it
    other = host_client("a1.localhost", make_user()).get(f"/forum/t/{thread.pk}/").content.decode()
    assert "物 业 费" not in other
    thread.refresh_from_db()
    assert thread.reply_count == 0


def test_rate_limit_per_account(thread, resident, host_client, settings):
    settings.MODERATION_RATE_LIMITS = {"post": {"user": (2, 86400), "ip": (100, 86400), "new_user": (2, 86400)}}
    client = host_client("a1.localhost", resident)
    assert reply(client, thread, body="一").status_code == 302
    assert reply(client, thread, body="二").status_code == 302
    response = reply(client, thread, body="三")
    assert response.status_code == 400
    assert "seconds" in errors(response) or "秒" in errors(response)
    assert Post.objects.filter(thread=thread).count() == 3


def test_rate_limit_per_ip(thread, make_user, host_client, settings):
    settings.MODERATION_RATE_LIMITS = {"post": {"user": (100, 86400), "ip": (2, 86400), "new_user": (100, 86400)}}
    cache.clear()  # the thread's opening post counted against the same address
    statuses = [reply(host_client("a1.localhost", make_user()), thread, body="x").status_code for _ in range(3)]
    assert statuses == [302, 302, 400]


def test_like_rate_limit_gives_429(thread, resident, host_client, settings):
    settings.MODERATION_RATE_LIMITS = {"like": {"user": (1, 86400), "ip": (100, 86400), "new_user": (1, 86400)}}
    post = Post.objects.get(thread=thread, number=1)
    client = host_client("a1.localhost", resident)
    assert client.post(f"/forum/p/{post.pk}/like/").status_code == 302
    assert client.post(f"/forum/p/{post.pk}/like/", {"action": "unlike"}).status_code == 429


def test_new_accounts_cannot_post_links_until_trusted(thread, city, make_user, host_client):
    ModerationPolicy.objects.update_or_create(community=city["a1"], defaults={"new_account_posts": 2})
    client = host_client("a1.localhost", make_user("newbie"))
    for body in ("看 https://spam.example", "[点我](http://x.example)", "www.spam.example"):
        response = reply(client, thread, body=body)
        assert response.status_code == 400 and errors(response)
    assert reply(client, thread, body="你好").status_code == 302
    assert reply(client, thread, body="大家好").status_code == 302
    assert reply(client, thread, body="看 https://ok.example").status_code == 302


def test_premoderation_of_new_accounts(thread, city, make_user, host_client):
    ModerationPolicy.objects.update_or_create(
        community=city["a1"], defaults={"new_account_posts": 1, "premoderate_new_accounts": True}
    )
    client = host_client("a1.localhost", make_user("newbie"))
    assert reply(client, thread, body="第一帖").status_code == 302
    assert Post.objects.get(thread=thread, number=2).moderation_state == "pending"
    response = client.post("/forum/new/", {"category": thread.category_id, "title": "新人话题", "body": "x"})
    assert response.status_code == 302
    assert Thread.objects.get(title="新人话题").moderation_state == "pending"
    assert "新人话题" not in host_client("a1.localhost").get("/forum/").content.decode()
