"""What a logged-in resident pays for a thread page: the blank reply form is rendered once per process
(`{% sitewide with form=form %}`, the CSRF field a `{% perrequest once %}` hole), a quote or a reply-to is
rendered for its reader only; someone in no group is no moderator without asking for permissions; a suspension
is read without `active()`'s OR and says the same."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.forms.boundfield import BoundField
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participation.moderation.models import Suspension
from portal.core import sites

from .helpers import reply, start_thread

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def forum(categories, make_user, host_client, trusted, city, settings):
    settings.FORUM_PAGE_CACHE_SECONDS = 0
    trusted(city["a1"])
    author = make_user("author", display_name="楼主")
    neighbour = make_user("neighbour", display_name="邻居")
    thread = start_thread(host_client("a1.localhost", author), categories["a1"], body="楼主的第一帖")
    reply(host_client("a1.localhost", neighbour), thread, body="邻居说 13812345678")
    return {"thread": thread, "author": author, "neighbour": neighbour, "url": f"/forum/t/{thread.pk}/"}


def checking_client(user):
    client = Client(HTTP_HOST="a1.localhost", enforce_csrf_checks=True)
    client.force_login(user)
    return client


def reply_form(page: str) -> str:
    return re.search(r'<section id="reply".*?</section>', page, re.S).group(0)


def widgets_rendered(monkeypatch) -> list:
    rendered = []
    as_widget = BoundField.as_widget

    def counting(self, *args, **kwargs):
        rendered.append(self.name)
        return as_widget(self, *args, **kwargs)

    monkeypatch.setattr(BoundField, "as_widget", counting)
    return rendered


def test_the_blank_reply_form_is_rendered_once_and_each_reader_posts_with_their_own_token(forum, monkeypatch):
    rendered = widgets_rendered(monkeypatch)
    author, neighbour = checking_client(forum["author"]), checking_client(forum["neighbour"])
    first = reply_form(neighbour.get(forum["url"]).content.decode())
    assert rendered and 'name="body"' in first
    rendered.clear()
    second = reply_form(author.get(forum["url"]).content.decode())
    assert rendered == []  # kept: no widget rendered again
    assert TOKEN.sub("T", first) == TOKEN.sub("T", second)
    for client, page, body in ((neighbour, first, "第一位的回复"), (author, second, "第二位的回复")):
        token = TOKEN.search(page).group(1)
        answer = client.post(f"/forum/t/{forum['thread'].pk}/reply/", {"body": body, "csrfmiddlewaretoken": token})
        assert answer.status_code == 302, body
    monkeypatch.setattr(sites, "memo", lambda request, key, compute: compute())
    assert TOKEN.sub("T", reply_form(author.get(forum["url"]).content.decode())) == TOKEN.sub("T", second)


def test_a_quote_and_a_reply_to_are_their_reader_s_own(forum, host_client, monkeypatch):
    author, neighbour = host_client("a1.localhost", forum["author"]), host_client("a1.localhost", forum["neighbour"])
    blank = reply_form(neighbour.get(forum["url"]).content.decode())
    quoted = reply_form(author.get(f"{forum['url']}?quote=2").content.decode())
    assert (
        "&gt; @neighbour (#2)" in quoted
        and "5678" in quoted
        and "13812345678" not in quoted
        and 'name="quote" value="2"' in quoted
    )
    answering = reply_form(author.get(f"{forum['url']}?reply_to=2").content.decode())
    assert 'name="reply_to" value="2"' in answering and "#2" in answering
    for page in (neighbour.get(forum["url"]), host_client("a1.localhost", forum["author"]).get(forum["url"])):
        again = reply_form(page.content.decode())
        assert TOKEN.sub("T", again) == TOKEN.sub("T", blank)
        assert "@neighbour" not in again and 'value="2"' not in again


def test_a_refused_resident_sees_why_after_the_blank_form_was_kept(forum, host_client, make_user, city):
    host_client("a1.localhost", forum["neighbour"]).get(forum["url"])  # the blank form is kept
    Suspension.objects.create(community=city["a1"], user=forum["author"], until=None, reason="刷屏")
    page = reply_form(host_client("a1.localhost", forum["author"]).get(forum["url"]).content.decode())
    assert 'name="body"' not in page and "csrfmiddlewaretoken" not in page


def test_a_resident_in_no_group_is_no_moderator_without_asking_for_permissions(forum, host_client, make_user, city):
    client = host_client("a1.localhost", forum["neighbour"])
    client.get(forum["url"])
    with CaptureQueriesContext(connection) as captured:
        page = client.get(forum["url"]).content.decode()
    assert "/moderation/" not in page
    assert not [q for q in captured if "auth_permission" in q["sql"]]
    moderator = make_user("mod")
    moderator.groups.add(city["a1"].moderators_group)
    assert "/moderation/" in host_client("a1.localhost", moderator).get(forum["url"]).content.decode()


@pytest.mark.parametrize(
    "ends, says",
    [
        ([None, timedelta(days=3)], "for ever"),
        ([timedelta(days=3), timedelta(days=1)], "in 3 days"),
        ([-timedelta(days=1)], None),
        ([-timedelta(days=1), None], "for ever"),
    ],
)
def test_a_suspension_says_until_when_its_latest_end(forum, host_client, city, ends, says):
    from participation.moderation.services import refuse_suspended
    from portal.accounts.actions import get_action

    now = timezone.now()
    for end in ends:
        until = None if end is None else now + end
        Suspension.objects.create(community=city["a1"], user=forum["author"], until=until, reason="刷屏")
    refusal = refuse_suspended(forum["author"], city["a1"], get_action("forum.post"))
    if says is None:
        assert refusal is None
        return
    assert not refusal and refusal.code == "suspended"
    if says == "for ever":
        assert timezone.localtime(now + timedelta(days=3)).strftime("%Y-%m-%d") not in refusal.reason
    else:
        assert timezone.localtime(now + timedelta(days=3)).strftime("%Y-%m-%d %H:%M") in refusal.reason
    assert refuse_suspended(forum["author"], city["b1"], get_action("forum.post")) is None


def test_the_reader_s_likes_are_asked_of_liked_posts_only(forum, host_client):
    from participation.forums.models import Post

    neighbour = host_client("a1.localhost", forum["neighbour"])
    neighbour.get(forum["url"])
    with CaptureQueriesContext(connection) as captured:
        neighbour.get(forum["url"])
    assert not [q for q in captured if "forums_postlike" in q["sql"]]
    first = Post.objects.get(thread=forum["thread"], number=1)
    assert neighbour.post(f"/forum/p/{first.pk}/like/").status_code == 302
    for client, pressed in ((neighbour, "true"), (host_client("a1.localhost", forum["author"]), "false")):
        page = client.get(forum["url"]).content.decode()
        post = re.search(r'<article class="post" id="p1".*?</article>', page, re.S).group(0)
        assert f'aria-pressed="{pressed}"' in post
