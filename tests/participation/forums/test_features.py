from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participation.forums.models import POSTS_PER_PAGE, Post, PostLike, PostRevision, Thread, ThreadRead
from participation.forums.services import purge_read_state
from portal.notifications.models import Notification

from .helpers import reply, start_thread


@pytest.fixture
def forum(categories, make_user, host_client, trusted, city):
    trusted(city["a1"])
    author = make_user("author", display_name="楼主")
    neighbour = make_user("neighbour", display_name="邻居")
    author_client = host_client("a1.localhost", author)
    thread = start_thread(author_client, categories["a1"])
    return {
        "thread": thread,
        "author": author,
        "neighbour": neighbour,
        "author_client": author_client,
        "neighbour_client": host_client("a1.localhost", neighbour),
    }


def test_reply_quote_and_mention_notify_each_person_once(forum, make_user, host_client):
    third = make_user("third")
    reply(forum["author_client"], forum["thread"], body="第一条回复 @third")
    quoted = Post.objects.get(thread=forum["thread"], number=2)
    client = forum["neighbour_client"]
    page = client.get(f"/forum/t/{forum['thread'].pk}/?quote=2").content.decode()
    assert "&gt; @author (#2):" in page  # the form is prefilled with the quote
    response = reply(client, forum["thread"], body="> 引用\n\n同意 @third @author", quote=2, reply_to=2)
    assert response.status_code == 302
    post = Post.objects.get(thread=forum["thread"], number=3)
    assert post.quote_of == quoted and post.reply_to == quoted
    author_notes = Notification.objects.filter(recipient=forum["author"])
    assert list(author_notes.values_list("verb", flat=True)) == ["forum.quote"]  # once, though also thread owner
    assert Notification.objects.filter(recipient=third).count() == 2  # mentioned in #2 and in #3
    assert not Notification.objects.filter(recipient=forum["neighbour"]).exists()
    page = client.get(f"/forum/t/{forum['thread'].pk}/").content.decode()
    assert "in reply to #2" in page or "回复 #2" in page


def test_notifications_page_and_header_count(forum):
    reply(forum["neighbour_client"], forum["thread"], body="你好")
    client = forum["author_client"]
    header = client.get("/forum/").content.decode()
    assert 'class="badge"' in header and ">1</span>" in header
    listing = client.get("/notifications/").content.decode()
    assert "邻居" in listing and f"/forum/t/{forum['thread'].pk}/p/2/" in listing
    assert client.post("/notifications/read/").status_code == 302
    assert 'class="badge"' not in client.get("/forum/").content.decode()


def test_one_like_per_person_and_counters(forum):
    post = Post.objects.get(thread=forum["thread"], number=1)
    client = forum["neighbour_client"]
    for _ in range(3):
        assert client.post(f"/forum/p/{post.pk}/like/").status_code == 302
    assert PostLike.objects.filter(post=post).count() == 1
    post.refresh_from_db()
    forum["thread"].refresh_from_db()
    assert post.like_count == 1 and forum["thread"].like_count == 1
    client.post(f"/forum/p/{post.pk}/like/", {"action": "unlike"})
    post.refresh_from_db()
    assert post.like_count == 0 and not PostLike.objects.exists()
    assert forum["author_client"].post(f"/forum/p/{post.pk}/like/").status_code == 400  # own post


def test_edit_window_history_and_moderator_view(forum, city, make_user, host_client, settings):
    client = forum["author_client"]
    reply(client, forum["thread"], body="原文")
    post = Post.objects.get(thread=forum["thread"], number=2)
    assert client.post(f"/forum/p/{post.pk}/edit/", {"body": "改过的"}).status_code == 302
    assert PostRevision.objects.get(post=post).body == "原文"
    assert "改过的" in client.get(f"/forum/t/{forum['thread'].pk}/").content.decode()
    # Others cannot edit; the author cannot after the window.
    assert forum["neighbour_client"].get(f"/forum/p/{post.pk}/edit/").status_code == 403
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(minutes=31))
    assert client.post(f"/forum/p/{post.pk}/edit/", {"body": "再改"}).status_code == 403
    # History: the community's moderators only.
    assert client.get(f"/forum/p/{post.pk}/history/").status_code == 404
    moderator = make_user("mod")
    moderator.groups.add(city["a1"].moderators_group)
    history = host_client("a1.localhost", moderator).get(f"/forum/p/{post.pk}/history/")
    assert history.status_code == 200 and "原文" in history.content.decode()
    other_moderator = make_user("mod_b")
    other_moderator.groups.add(city["b1"].moderators_group)
    assert host_client("a1.localhost", other_moderator).get(f"/forum/p/{post.pk}/history/").status_code == 404


def test_soft_deletion_keeps_numbers_and_text_for_moderators(forum):
    client = forum["author_client"]
    reply(client, forum["thread"], body="要删除的话")
    reply(client, forum["thread"], body="后面的话")
    post = Post.objects.get(thread=forum["thread"], number=2)
    client.post(f"/forum/p/{post.pk}/delete/")
    page = client.get(f"/forum/t/{forum['thread'].pk}/").content.decode()
    assert "要删除的话" not in page and "后面的话" in page and 'id="p2"' in page
    post.refresh_from_db()
    forum["thread"].refresh_from_db()
    assert post.deleted_at is not None and post.body == "要删除的话"
    assert forum["thread"].reply_count == 1
    assert forum["neighbour_client"].post(f"/forum/p/{post.pk}/delete/").status_code == 400


def test_pagination_jumps_and_permalinks(forum):
    thread = forum["thread"]
    client = forum["author_client"]
    for i in range(POSTS_PER_PAGE + 5):
        reply(client, thread, body=f"第{i}条")
    thread.refresh_from_db()
    assert thread.num_pages == 2
    last_page = client.get(f"/forum/t/{thread.pk}/?page=last").content.decode()
    assert f'id="p{thread.last_number}"' in last_page and 'id="p1"' not in last_page
    response = client.get(f"/forum/t/{thread.pk}/p/{POSTS_PER_PAGE + 1}/")
    assert response["Location"].endswith(f"?page=2#p{POSTS_PER_PAGE + 1}")


def test_read_tracking_unread_threads_and_first_unread(forum, categories):
    thread = forum["thread"]
    neighbour = forum["neighbour_client"]
    assert "unread-link" in neighbour.get("/forum/").content.decode()
    neighbour.get(f"/forum/t/{thread.pk}/")
    assert "unread-link" not in neighbour.get("/forum/").content.decode()
    for i in range(POSTS_PER_PAGE + 3):
        reply(forum["author_client"], thread, body=f"新{i}")
    assert "unread-link" in neighbour.get("/forum/").content.decode()
    assert neighbour.get(f"/forum/t/{thread.pk}/unread/")["Location"].endswith("?page=1#p2")
    neighbour.get(f"/forum/t/{thread.pk}/")  # reads #1-#20
    assert neighbour.get(f"/forum/t/{thread.pk}/unread/")["Location"].endswith(f"?page=2#p{POSTS_PER_PAGE + 1}")


def test_reading_a_thread_again_writes_nothing_and_reading_further_moves_the_marker(forum):
    thread, neighbour = forum["thread"], forum["neighbour_client"]
    neighbour.get(f"/forum/t/{thread.pk}/")
    first = ThreadRead.objects.get(thread=thread)
    with CaptureQueriesContext(connection) as captured:
        assert neighbour.get(f"/forum/t/{thread.pk}/").status_code == 200
    writes = [
        q["sql"] for q in captured.captured_queries if "forums_threadread" in q["sql"] and "SELECT" not in q["sql"]
    ]
    assert writes == []
    reply(forum["author_client"], thread, body="又一帖")
    neighbour.get(f"/forum/t/{thread.pk}/")
    assert ThreadRead.objects.get(thread=thread).last_read_number == first.last_read_number + 1


def test_read_state_is_bounded(forum, settings):
    thread = forum["thread"]
    forum["neighbour_client"].get(f"/forum/t/{thread.pk}/")
    assert ThreadRead.objects.count() == 1
    ThreadRead.objects.update(updated_at=timezone.now() - timedelta(days=settings.FORUM_READ_TRACKING_DAYS + 1))
    Thread.objects.update(last_post_at=timezone.now() - timedelta(days=settings.FORUM_READ_TRACKING_DAYS + 1))
    assert purge_read_state() == 1
    assert "unread-link" not in forum["neighbour_client"].get("/forum/").content.decode()  # old counts as read


def test_pinned_threads_come_first(forum, categories):
    newer = start_thread(forum["author_client"], categories["a1"], title="新话题")
    Thread.objects.filter(pk=forum["thread"].pk).update(pinned=True)
    listing = forum["neighbour_client"].get("/forum/").content.decode()
    assert listing.index(forum["thread"].title) < listing.index(newer.title)


def test_recount_command_repairs_counters(forum):
    thread = forum["thread"]
    reply(forum["neighbour_client"], thread, body="一")
    reply(forum["neighbour_client"], thread, body="二")
    forum["author_client"].post(f"/forum/p/{Post.objects.get(thread=thread, number=2).pk}/like/")
    Thread.objects.filter(pk=thread.pk).update(reply_count=77, like_count=5)
    Post.objects.filter(thread=thread).update(like_count=9)
    call_command("recount_forum")
    thread.refresh_from_db()
    assert (thread.reply_count, thread.like_count) == (2, 1)
    assert sorted(Post.objects.filter(thread=thread).values_list("like_count", flat=True)) == [0, 0, 1]


def test_view_counter_is_buffered_in_the_cache(forum):
    from participation.forums.services import VIEW_FLUSH_EVERY, pending_views

    thread = forum["thread"]
    for _ in range(VIEW_FLUSH_EVERY + 3):
        forum["neighbour_client"].get(f"/forum/t/{thread.pk}/")
    thread.refresh_from_db()
    assert thread.view_count == VIEW_FLUSH_EVERY
    assert pending_views(thread) == 3


def test_anonymous_readers_get_a_cached_page_that_any_change_renews(forum, host_client):
    thread = forum["thread"]
    anonymous = host_client("a1.localhost")
    url = f"/forum/t/{thread.pk}/"
    assert anonymous.get(url).get("X-Page-Cache") is None
    assert anonymous.get(url)["X-Page-Cache"] == "hit"
    reply(forum["neighbour_client"], thread, body="新的回复")
    fresh = anonymous.get(url)
    assert fresh.get("X-Page-Cache") is None and "新的回复" in fresh.content.decode()
    post = Post.objects.get(thread=thread, number=2)
    forum["neighbour_client"].post(f"/forum/p/{post.pk}/edit/", {"body": "改后的回复"})
    assert "改后的回复" in anonymous.get(url).content.decode()
    forum["author_client"].post(f"/forum/p/{post.pk}/like/")
    assert "1 个赞" in anonymous.get(url).content.decode() or "1 like" in anonymous.get(url).content.decode()
    # Logged-in readers are never served from the shared cache.
    assert forum["author_client"].get(url).get("X-Page-Cache") is None


def test_forum_page_gives_the_navigation_its_entry(city, host_client):
    from participation.forums.models import ForumPage

    pages = ForumPage.objects.live().in_menu()
    assert pages.count() == len(city)
    page = pages.child_of(city["b1"].root_page).get()
    assert page.url_path.endswith("/forum/")
    assert not ForumPage.can_create_at(city["b1"].root_page)  # one per community
    page.slug = "luntan"
    page.save_revision().publish()
    response = host_client("b1.localhost").get("/luntan/")
    assert response.status_code == 302 and response["Location"] == "/forum/"


def test_phone_numbers_in_posts_are_masked_for_readers_and_quoters(forum):
    reply(forum["author_client"], forum["thread"], body="有事打我电话 13912345678")
    page = forum["neighbour_client"].get(f"/forum/t/{forum['thread'].pk}/?quote=2").content.decode()
    assert "13912345678" not in page
    assert "139****5678" in page
