"""Reports and moderation through the real Wagtail admin, scoped to the moderator's community."""

import pytest
from django.contrib.contenttypes.models import ContentType

from participation.forums.models import ForumCategory, Post, Thread
from participation.moderation.models import ModerationAction, ModerationPolicy, Report, Suspension
from portal.notifications.models import Notification
from tests.participation.forums.helpers import errors, reply, start_thread


@pytest.fixture
def two_forums(categories, make_user, host_client, trusted, city):
    trusted(city["a1"])
    trusted(city["b1"])
    troll = make_user("troll")
    threads = {}
    for slug in ("a1", "b1"):
        client = host_client(f"{slug}.localhost", troll)
        threads[slug] = start_thread(client, categories[slug], title=f"标题{slug}", body=f"难听的话{slug}")
    return troll, threads


def moderator_of(community, make_user, name):
    user = make_user(name)
    user.groups.add(community.moderators_group)
    return user


def report_via_site(host_client, user, host, post, reason="abuse"):
    return host_client(host, user).post(f"/forum/p/{post.pk}/report/", {"reason": reason, "note": "请处理"})


def test_moderator_sees_only_own_community_reports(two_forums, city, make_user, host_client):
    _troll, threads = two_forums
    reporter = make_user("reporter")
    for slug, thread in threads.items():
        assert (
            report_via_site(host_client, reporter, f"{slug}.localhost", thread.posts.get(number=1)).status_code == 302
        )
    admin = host_client("localhost", moderator_of(city["a1"], make_user, "mod_a"))
    queue = admin.get("/admin/moderation/")
    assert queue.status_code == 200
    html = queue.content.decode()
    assert "难听的话a1" in html and "难听的话b1" not in html
    log = admin.get("/admin/moderation/log/")
    assert log.status_code == 200
    post_b = threads["b1"].posts.get(number=1)
    type_id = ContentType.objects.get_for_model(Post).pk
    assert admin.get(f"/admin/moderation/act/{type_id}/{post_b.pk}/").status_code == 404
    response = admin.post(f"/admin/moderation/act/{type_id}/{post_b.pk}/", {"kind": "hide", "reason": "越权"})
    assert response.status_code == 404
    post_b.refresh_from_db()
    assert post_b.moderation_state == "published"


def test_residents_and_editors_without_the_permission_see_no_queue(two_forums, make_user, host_client, city):
    resident = host_client("localhost", make_user("plain"))
    assert resident.get("/admin/moderation/").status_code in (302, 403)
    editor = make_user("editor")
    editor.groups.add(city["a1"].editors_group)
    assert host_client("localhost", editor).get("/admin/moderation/").status_code in (302, 403)


def test_hide_restore_lock_are_applied_and_logged(two_forums, city, make_user, host_client):
    troll, threads = two_forums
    moderator = moderator_of(city["a1"], make_user, "mod_a")
    admin = host_client("localhost", moderator)
    site = host_client("a1.localhost")
    post = threads["a1"].posts.get(number=1)
    post_type = ContentType.objects.get_for_model(Post).pk
    url = f"/admin/moderation/act/{post_type}/{post.pk}/"
    response = admin.post(url, {"kind": "hide", "reason": ""})
    assert response.status_code == 400  # a reason is required
    assert admin.post(url, {"kind": "hide", "reason": "辱骂"}).status_code == 302
    assert site.get(f"/forum/t/{threads['a1'].pk}/").status_code == 404  # hiding the opening post hides the thread
    assert admin.post(url, {"kind": "restore", "reason": "误判"}).status_code == 302
    assert site.get(f"/forum/t/{threads['a1'].pk}/").status_code == 200
    assert admin.post(url, {"kind": "lock", "reason": "吵架"}).status_code == 302
    assert Thread.objects.get(pk=threads["a1"].pk).locked
    assert admin.post(url, {"kind": "warn", "reason": "注意言辞"}).status_code == 302
    assert Notification.objects.filter(recipient=troll, verb="moderation.warning").exists()
    kinds = list(ModerationAction.objects.filter(moderator=moderator).values_list("kind", flat=True))
    assert sorted(kinds) == ["hide", "lock", "restore", "warn"]
    assert all(a.reason for a in ModerationAction.objects.all())


def test_suspended_in_a_can_still_post_in_b(two_forums, city, make_user, host_client):
    troll, threads = two_forums
    admin = host_client("localhost", moderator_of(city["a1"], make_user, "mod_a"))
    post = threads["a1"].posts.get(number=1)
    post_type = ContentType.objects.get_for_model(Post).pk
    response = admin.post(
        f"/admin/moderation/act/{post_type}/{post.pk}/", {"kind": "suspend", "reason": "屡教不改", "days": 7}
    )
    assert response.status_code == 302
    assert Suspension.objects.active().filter(user=troll, community=city["a1"]).exists()
    refused = reply(host_client("a1.localhost", troll), threads["a1"], body="我又来了")
    # The one decision (portal.accounts.actions) refuses it, with the reason.
    assert refused.status_code == 403 and errors(refused)
    assert reply(host_client("b1.localhost", troll), threads["b1"], body="我在这里").status_code == 302
    log = ModerationAction.objects.get(kind="suspend")
    assert log.target_user == troll and log.community == city["a1"]


def test_auto_hide_after_distinct_reporters(two_forums, city, make_user, host_client):
    _troll, threads = two_forums
    ModerationPolicy.objects.update_or_create(community=city["a1"], defaults={"auto_hide_reports": 2})
    reply(host_client("a1.localhost", make_user("someone")), threads["a1"], body="广告广告")
    post = threads["a1"].posts.get(number=2)
    first = make_user("r1")
    for _ in range(3):  # the same resident reporting again does not count
        report_via_site(host_client, first, "a1.localhost", post, reason="spam")
    post.refresh_from_db()
    assert post.moderation_state == "published" and Report.objects.filter(object_id=post.pk).count() == 1
    report_via_site(host_client, make_user("r2"), "a1.localhost", post, reason="spam")
    post.refresh_from_db()
    assert post.moderation_state == "hidden"
    auto = ModerationAction.objects.get(kind="auto_hide")
    assert auto.moderator is None and auto.object_id == post.pk
    assert "广告广告" not in host_client("a1.localhost").get(f"/forum/t/{threads['a1'].pk}/").content.decode()


def test_approve_pending_post_from_the_queue(two_forums, city, make_user, host_client):
    _troll, threads = two_forums
    ModerationPolicy.objects.update_or_create(
        community=city["a1"], defaults={"premoderate_new_accounts": True, "new_account_posts": 5}
    )
    reply(host_client("a1.localhost", make_user("newbie")), threads["a1"], body="等待审核的回复")
    post = threads["a1"].posts.get(number=2)
    admin = host_client("localhost", moderator_of(city["a1"], make_user, "mod_a"))
    assert "等待审核的回复" in admin.get("/admin/moderation/").content.decode()
    other = host_client("localhost", moderator_of(city["b1"], make_user, "mod_b"))
    assert "等待审核的回复" not in other.get("/admin/moderation/").content.decode()
    post_type = ContentType.objects.get_for_model(Post).pk
    assert (
        admin.post(f"/admin/moderation/act/{post_type}/{post.pk}/", {"kind": "approve", "reason": "ok"}).status_code
        == 302
    )
    threads["a1"].refresh_from_db()
    assert threads["a1"].reply_count == 1
    assert "等待审核的回复" in host_client("a1.localhost").get(f"/forum/t/{threads['a1'].pk}/").content.decode()


def test_category_admin_is_scoped(categories, city, make_user, host_client):
    editor = make_user("editor_a")
    editor.groups.add(city["a1"].editors_group)
    admin = host_client("localhost", editor)
    listing = admin.get("/admin/forum_categories/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "闲聊a1" in html and "闲聊b1" not in html
    assert admin.get(f"/admin/forum_categories/edit/{categories['b1'].pk}/").status_code == 404
    response = admin.post(
        "/admin/forum_categories/new/", {"community": city["b1"].pk, "name": "越权", "slug": "x", "sort_order": 0}
    )
    assert not ForumCategory.objects.filter(name="越权").exists()
    response = admin.post(
        "/admin/forum_categories/new/", {"community": city["a1"].pk, "name": "求助", "slug": "help", "sort_order": 1}
    )
    assert response.status_code == 302
    assert ForumCategory.objects.filter(community=city["a1"], slug="help").exists()


def test_sensitive_words_admin_is_scoped(city, make_user, host_client):
    moderator = moderator_of(city["a1"], make_user, "mod_a")
    admin = host_client("localhost", moderator)
    response = admin.post(
        "/admin/sensitive_words/new/", {"community": city["a1"].pk, "word": "违禁", "action": "block"}
    )
    assert response.status_code == 302
    response = admin.post("/admin/sensitive_words/new/", {"community": "", "word": "全市", "action": "block"})
    assert response.status_code == 200  # a community is required for non-superusers
    from participation.moderation.models import SensitiveWord

    assert list(SensitiveWord.objects.values_list("word", "community")) == [("违禁", city["a1"].pk)]


def test_pinning_through_the_thread_admin_is_scoped(two_forums, city, make_user, host_client):
    _troll, threads = two_forums
    admin = host_client("localhost", moderator_of(city["a1"], make_user, "mod_a"))
    listing = admin.get("/admin/forum_threads/").content.decode()
    assert "标题a1" in listing and "标题b1" not in listing
    assert admin.post(f"/admin/forum_threads/edit/{threads['a1'].pk}/", {"pinned": "on"}).status_code == 302
    assert Thread.objects.get(pk=threads["a1"].pk).pinned
    assert admin.post(f"/admin/forum_threads/edit/{threads['b1'].pk}/", {"pinned": "on"}).status_code == 404
    assert not Thread.objects.get(pk=threads["b1"].pk).pinned
    assert admin.get("/admin/forum_threads/new/").status_code in (302, 403)  # residents start threads


def test_moderators_get_moderation_links_on_the_thread_page(two_forums, city, make_user, host_client):
    _troll, threads = two_forums
    url = f"/forum/t/{threads['a1'].pk}/"
    moderator_page = host_client("a1.localhost", moderator_of(city["a1"], make_user, "mod_a")).get(url)
    assert "/admin/moderation/act/" in moderator_page.content.decode()
    other_page = host_client("a1.localhost", moderator_of(city["b1"], make_user, "mod_b")).get(url)
    assert "/admin/moderation/act/" not in other_page.content.decode()


def test_queue_action_page_and_log_mask_phone_and_id_numbers(two_forums, city, make_user, host_client):
    """Posts written before screening at submission (or a reporter's note) may hold a phone number or an
    ID number: moderators see them masked, in the queue, on the decision page and in the log."""
    _troll, threads = two_forums
    post = threads["a1"].posts.get(number=1)
    Post.objects.filter(pk=post.pk).update(body="我的电话 139 1234 5678，身份证 110105194912310021")
    reporter = make_user("reporter")
    response = host_client("a1.localhost", reporter).post(
        f"/forum/p/{post.pk}/report/", {"reason": "abuse", "note": "他留了电话13912345678"}
    )
    assert response.status_code == 302
    admin = host_client("localhost", moderator_of(city["a1"], make_user, "mod_a"))
    type_id = ContentType.objects.get_for_model(Post).pk
    queue = admin.get("/admin/moderation/").content.decode()
    act = admin.get(f"/admin/moderation/act/{type_id}/{post.pk}/").content.decode()
    for html in (queue, act):
        assert "139****5678" in html
        assert "1234 5678" not in html and "13912345678" not in html and "110105194912310021" not in html
    assert "11**************21" in queue
    admin.post(f"/admin/moderation/act/{type_id}/{post.pk}/", {"kind": "hide", "reason": "留了电话 13912345678"})
    log = admin.get("/admin/moderation/log/").content.decode()
    assert "13912345678" not in log and "139****5678" in log
