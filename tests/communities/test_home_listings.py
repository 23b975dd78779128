"""A community home's notices, news and upcoming events are rendered once per version of what they list
(`{% sitewide with listings=listings %}`, communities.pages.listings.HomeListings): a kept rendering reads none of
the items, and whatever changes a list (a publish, an edit, an unpublish, a notice starting or ending, an event
ending) shows at once, for visitors and residents alike."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from .helpers import add_event, add_news, add_notice

pytestmark = pytest.mark.usefixtures("uncached_pages")

HOST = "a1.localhost"


@pytest.fixture
def uncached_pages():
    # The whole-page cache for visitors would hide the memo.
    with override_settings(PORTAL_PAGE_CACHE_SECONDS=0):
        yield


LISTS = re.compile(r'<section aria-labelledby="home-notices">.*aria-labelledby="home-events">.*?</section>', re.S)


def lists(html: str) -> str:
    return LISTS.search(html)[0]


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return lists(response.content.decode())


def queries_of_home(client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_a_kept_rendering_reads_no_item_whatever_their_number(city, host_client):
    client = host_client(HOST)
    add_notice(city["a1"], "停水通知"), add_news(city["a1"], "社区新闻"), add_event(city["a1"], "社区义诊")
    home(client)
    few = queries_of_home(client)
    for n in range(6):
        add_notice(city["a1"], f"通知{n}"), add_news(city["a1"], f"新闻{n}"), add_event(city["a1"], f"活动{n}")
    assert "通知5" in home(client) and "新闻5" in home(client)
    many = queries_of_home(client)
    assert len(many) == len(few), "\n".join(many)
    listed_tables = ("community_notices_noticepage", "community_news_newsarticlepage", "community_events_eventpage")
    reads = [sql for sql in many if '"wagtailcore_page"."title"' in sql and any(t in sql for t in listed_tables)]
    assert not reads, "\n".join(reads)


def test_publishing_editing_and_unpublishing_show_at_once(city, host_client, make_user):
    visitor, resident = host_client(HOST), host_client(HOST, user=make_user())
    notice = add_notice(city["a1"], "旧的通知")
    for client in (visitor, resident):
        html = home(client)
        assert "旧的通知" in html and 'class="empty"' in html[html.index('"home-events"') :]
    event, news = add_event(city["a1"], "新的活动"), add_news(city["a1"], "新的新闻")
    notice.title = "改过的通知"
    notice.save_revision().publish()
    for client in (visitor, resident):
        html = home(client)
        assert "新的活动" in html and "新的新闻" in html
        assert "改过的通知" in html and "旧的通知" not in html
    event.unpublish()
    news.delete()
    for client in (visitor, resident):
        html = home(client)
        assert "新的活动" not in html and "新的新闻" not in html and "改过的通知" in html


def test_pinning_moves_a_notice_up_at_once(city, host_client):
    client = host_client(HOST)
    first = add_notice(city["a1"], "先发的通知")
    add_notice(city["a1"], "后发的通知")
    html = home(client)
    assert html.index("后发的通知") < html.index("先发的通知")
    first.pinned = True
    first.save_revision().publish()
    html = home(client)
    assert html.index("先发的通知") < html.index("后发的通知") and "badge" in html


def test_notices_start_and_end_and_events_end_without_a_write(city, host_client):
    client, now = host_client(HOST), timezone.now()
    add_notice(city["a1"], "即将结束的通知", valid_until=now + timedelta(hours=1))
    add_notice(city["a1"], "即将生效的通知", valid_from=now + timedelta(hours=2))
    add_event(city["a1"], "今天的活动", start=now + timedelta(minutes=30), end=now + timedelta(hours=3))
    html = home(client)
    assert "即将结束的通知" in html and "即将生效的通知" not in html and "今天的活动" in html
    for later, shown, gone in [
        (now + timedelta(minutes=90), [], ["即将结束的通知", "即将生效的通知"]),
        (now + timedelta(minutes=150), ["即将生效的通知", "今天的活动"], ["即将结束的通知"]),
        (now + timedelta(hours=4), ["即将生效的通知"], ["今天的活动"]),
    ]:
        with mock.patch("django.utils.timezone.now", return_value=later):
            html = home(client)
        assert all(title in html for title in shown) and not any(title in html for title in gone), later


def test_a_draft_never_shows_and_no_visitor_is_named(city, host_client, make_user):
    resident = make_user(username="resident-zhang", display_name="张阿姨")
    add_notice(city["a1"], "草稿通知", live=False)
    add_notice(city["a1"], "公开通知")
    as_resident = home(host_client(HOST, user=resident))
    as_visitor = home(host_client(HOST))
    for html in (as_resident, as_visitor):
        assert "公开通知" in html and "草稿通知" not in html
        assert "张阿姨" not in html and "resident-zhang" not in html
    assert as_resident == as_visitor


def test_the_microblog_panel_reads_of_its_authors_only_their_public_name(city, host_client, make_user):
    from participation.microblog import services
    from participation.moderation.models import ModerationState

    author = make_user(username="wang", display_name="王师傅", phone="13800138000")
    services.create_post(community=city["a1"], author=author, text="楼下花开了", state=ModerationState.PUBLISHED)
    client = host_client(HOST)
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/").content.decode()
    assert "王师傅" in html and "楼下花开了" in html and "13800138000" not in html
    panel = [q["sql"] for q in captured.captured_queries if "microblog_micropost" in q["sql"]]
    assert len(panel) == 1 and '"password"' not in panel[0] and '"phone"' not in panel[0], panel
