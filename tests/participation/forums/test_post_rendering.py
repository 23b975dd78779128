"""A thread's posts are rendered once per version of what each shows (`{% sitewide with post=post %}`,
`Post.sitewide_key`), and only the CSRF field per request (`{% perrequest once %}`): every reader still gets
their own like state, their own edit and delete links and their own token, and an edit, a like, a hide, a
deletion or a renamed author shows at once. The moderator check is one query for a resident."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.regions.scoping import scope_queryset
from participation.forums.models import Post, Thread
from participation.moderation.models import ModerationState
from participation.moderation.services import act, may_moderate
from portal.core import sites

from .helpers import reply, start_thread

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def forum(categories, make_user, host_client, trusted, city, settings):
    settings.FORUM_PAGE_CACHE_SECONDS = 0  # visitors too go through the rendering, not the page cache
    trusted(city["a1"])
    author = make_user("author", display_name="楼主")
    neighbour = make_user("neighbour", display_name="邻居")
    thread = start_thread(host_client("a1.localhost", author), categories["a1"], body="楼主的第一帖")
    reply(host_client("a1.localhost", neighbour), thread, body="邻居的回复")
    return {"thread": thread, "author": author, "neighbour": neighbour, "url": f"/forum/t/{thread.pk}/"}


def checking_client(user):
    """A client that, like a browser, must send back the token of its own page."""
    client = Client(HTTP_HOST="a1.localhost", enforce_csrf_checks=True)
    client.force_login(user)
    return client


def post_html(page: str, number: int) -> str:
    return re.search(rf'<article class="post" id="p{number}".*?</article>', page, re.S).group(0)


def test_each_reader_sees_their_own_like_state_links_and_token(forum, host_client):
    first, second = (Post.objects.get(thread=forum["thread"], number=n) for n in (1, 2))
    author, neighbour = checking_client(forum["author"]), checking_client(forum["neighbour"])
    visitor = host_client("a1.localhost")
    page = neighbour.get(forum["url"]).content.decode()
    token = TOKEN.search(post_html(page, 1)).group(1)
    assert neighbour.post(f"/forum/p/{first.pk}/like/", {"csrfmiddlewaretoken": token}).status_code == 302
    for _ in range(2):  # the second round is served from what the first kept
        pages = {
            name: client.get(forum["url"]).content.decode()
            for name, client in [("author", author), ("neighbour", neighbour), ("visitor", visitor)]
        }
        assert 'aria-pressed="true"' in post_html(pages["neighbour"], 1)
        assert 'aria-pressed="false"' in post_html(pages["author"], 1)
        assert f"/forum/p/{first.pk}/edit/" in post_html(pages["author"], 1)
        assert f"/forum/p/{first.pk}/edit/" not in pages["neighbour"]
        assert f"/forum/p/{second.pk}/edit/" in post_html(pages["neighbour"], 2)
        assert f"/forum/p/{second.pk}/edit/" not in pages["author"]
        assert "csrfmiddlewaretoken" not in pages["visitor"] and "aria-pressed" not in pages["visitor"]
        assert "/moderation/" not in pages["author"] + pages["neighbour"]
        # One token a page, its reader's own: the server takes it back from them.
        for name, client, post in (("author", author, second), ("neighbour", neighbour, first)):
            tokens = set(TOKEN.findall(pages[name]))
            assert len(tokens) == 1
            answer = client.post(f"/forum/p/{post.pk}/like/", {"csrfmiddlewaretoken": tokens.pop(), "action": "unlike"})
            assert answer.status_code == 302, name
        neighbour.post(f"/forum/p/{first.pk}/like/", {"csrfmiddlewaretoken": TOKEN.search(pages["neighbour"]).group(1)})


def test_an_edit_a_like_a_hide_a_deletion_and_a_renamed_author_show_at_once(forum, host_client, make_user, city):
    visitor, author = host_client("a1.localhost"), host_client("a1.localhost", forum["author"])
    neighbour = host_client("a1.localhost", forum["neighbour"])
    first, second = (Post.objects.get(thread=forum["thread"], number=n) for n in (1, 2))
    assert "邻居的回复" in post_html(visitor.get(forum["url"]).content.decode(), 2)
    assert neighbour.post(f"/forum/p/{second.pk}/edit/", {"body": "改过的回复"}).status_code == 302
    assert "改过的回复" in post_html(visitor.get(forum["url"]).content.decode(), 2)
    before = post_html(visitor.get(forum["url"]).content.decode(), 1)
    assert neighbour.post(f"/forum/p/{first.pk}/like/").status_code == 302
    after = post_html(visitor.get(forum["url"]).content.decode(), 1)
    assert after != before and "1" in re.search(r"<span>(.*?)</span>", after).group(1)
    assert "Liked" in post_html(neighbour.get(forum["url"]).content.decode(), 1) or "已赞" in post_html(
        neighbour.get(forum["url"]).content.decode(), 1
    )
    forum["author"].display_name = "改名的楼主"
    forum["author"].save()
    assert "改名的楼主" in post_html(visitor.get(forum["url"]).content.decode(), 1)
    moderator = make_user("mod")
    moderator.groups.add(city["a1"].moderators_group)
    act(Post.objects.get(pk=second.pk), "hide", moderator, "广告")
    hidden = post_html(visitor.get(forum["url"]).content.decode(), 2)
    assert "改过的回复" not in hidden and "post-removed" in hidden
    reply(author, forum["thread"], body="要删的话")
    third = Post.objects.get(thread=forum["thread"], number=3)
    assert "要删的话" in post_html(visitor.get(forum["url"]).content.decode(), 3)
    author.post(f"/forum/p/{third.pk}/delete/")
    deleted = post_html(visitor.get(forum["url"]).content.decode(), 3)
    assert "要删的话" not in deleted and "post-removed" in deleted and deleted != hidden.replace("#2", "#3")


def test_a_post_awaiting_moderation_shows_to_its_author_only(forum, host_client):
    second = Post.objects.get(thread=forum["thread"], number=2)
    visitor, neighbour = host_client("a1.localhost"), host_client("a1.localhost", forum["neighbour"])
    author = host_client("a1.localhost", forum["author"])
    for client in (visitor, neighbour, author):
        assert "邻居的回复" in client.get(forum["url"]).content.decode()
    Post.objects.filter(pk=second.pk).update(moderation_state=ModerationState.PENDING)
    for _ in range(2):
        assert "邻居的回复" in post_html(neighbour.get(forum["url"]).content.decode(), 2)
        for client in (visitor, author):
            assert "邻居的回复" not in post_html(client.get(forum["url"]).content.decode(), 2)


def test_the_kept_posts_are_the_html_the_template_renders(forum, host_client, monkeypatch):
    reply(host_client("a1.localhost", forum["author"]), forum["thread"], body="第三帖", reply_to=2)
    clients = [host_client("a1.localhost"), host_client("a1.localhost", forum["author"])]

    def page(client):
        return TOKEN.sub("TOKEN", client.get(forum["url"]).content.decode())

    kept = [(page(client), page(client)) for client in clients]
    monkeypatch.setattr(sites, "memo", lambda request, key, compute: compute())
    for client, (first, second) in zip(clients, kept, strict=True):
        assert first == second == page(client)


def test_the_moderator_check_is_django_s_and_one_query_for_a_resident(forum, city, make_user, django_user_model):
    from django.contrib.auth.models import Permission

    thread = forum["thread"]
    moderator, elsewhere, inactive = make_user("mod"), make_user("mod_b"), make_user("mod_off", is_active=False)
    moderator.groups.add(city["a1"].moderators_group)
    elsewhere.groups.add(city["b1"].moderators_group)
    inactive.groups.add(city["a1"].moderators_group)
    direct = make_user("direct")  # the permission given to them, not through a group: no community to act for
    direct.user_permissions.add(Permission.objects.get(codename="moderate", content_type__app_label="moderation"))
    root = django_user_model.objects.create_superuser("root", password="pw-for-tests-1")
    for user in (forum["author"], forum["neighbour"], moderator, elsewhere, inactive, direct, root):
        user = django_user_model.objects.get(pk=user.pk)  # no permission cache
        expected = (
            user.has_perm("moderation.moderate") and scope_queryset(Thread.objects.filter(pk=thread.pk), user).exists()
        )
        user = django_user_model.objects.get(pk=user.pk)
        assert may_moderate(user, city["a1"]) == expected, user.username
    assert may_moderate(moderator, city["a1"]) and not may_moderate(elsewhere, city["a1"])
    resident = django_user_model.objects.get(pk=forum["neighbour"].pk)
    with CaptureQueriesContext(connection) as captured:
        assert not may_moderate(resident, city["a1"])
    assert len(captured) == 1  # Django's has_perm loads the user's and their groups' permissions: two


def test_a_moderator_gets_the_moderation_links(forum, city, make_user, host_client):
    moderator = make_user("mod")
    moderator.groups.add(city["a1"].moderators_group)
    second = Post.objects.get(thread=forum["thread"], number=2)
    Post.objects.filter(pk=second.pk).update(edited_at=timezone.now())
    for _ in range(2):
        page = host_client("a1.localhost", moderator).get(forum["url"]).content.decode()
        assert f"/forum/p/{second.pk}/history/" in post_html(page, 2)
        assert "/history/" not in post_html(page, 1)
        others = host_client("a1.localhost", forum["neighbour"]).get(forum["url"]).content.decode()
        assert "/history/" not in others


def test_a_thread_read_by_its_key_is_visible_to_whom_visible_to_says(forum, host_client):
    from django.contrib.auth.models import AnonymousUser

    thread = forum["thread"]
    readers = (AnonymousUser(), forum["author"], forum["neighbour"])
    for state in ModerationState.values:
        for deleted in (None, timezone.now()):
            Thread.objects.filter(pk=thread.pk).update(moderation_state=state, deleted_at=deleted)
            thread.refresh_from_db()
            for reader in readers:
                listed = Thread.objects.visible_to(reader).filter(pk=thread.pk).exists()
                assert thread.is_visible_to(reader) == listed, (state, deleted, reader)
                client = host_client("a1.localhost", reader if reader.is_authenticated else None)
                assert client.get(forum["url"]).status_code == (200 if listed else 404)
