"""Notices drop off listings by themselves at valid-until, appear at valid-from, pinned first."""

from datetime import timedelta
from unittest import mock

from django.conf import settings
from django.utils import timezone

from communities.notices.models import NoticePage
from portal.core import middleware as page_cache_middleware
from portal.core import page_cache

from .helpers import add_notice

LISTINGS = [("a1.localhost", "/"), ("a1.localhost", "/notices/"), ("localhost", "/"), ("localhost", "/east/street-a/")]


def listed_titles(host_client, host, path):
    response = host_client(host).get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_expired_and_future_notices_are_not_listed_anywhere(city, host_client):
    now = timezone.now()
    add_notice(city["a1"], "有效通知", valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=1))
    add_notice(city["a1"], "已过期通知", valid_until=now - timedelta(minutes=1))
    add_notice(city["a1"], "尚未生效通知", valid_from=now + timedelta(hours=1))
    for host, path in LISTINGS:
        body = listed_titles(host_client, host, path)
        assert "有效通知" in body, (host, path)
        assert "已过期通知" not in body, (host, path)
        assert "尚未生效通知" not in body, (host, path)


def test_a_notice_drops_off_when_its_time_passes_without_anyone_touching_it(city, host_client):
    now = timezone.now()
    add_notice(city["a1"], "限时通知", valid_until=now + timedelta(hours=1))
    add_notice(city["a1"], "明天生效通知", valid_from=now + timedelta(days=1))
    assert "限时通知" in listed_titles(host_client, "a1.localhost", "/notices/")
    with mock.patch.object(timezone, "now", return_value=now + timedelta(days=1, hours=2)):
        for host, path in LISTINGS:
            page_cache.purge_all()  # what the page cache timeout does at the boundary; tested below
            body = listed_titles(host_client, host, path)
            assert "限时通知" not in body, (host, path)
            assert "明天生效通知" in body, (host, path)


def test_pinned_notices_list_first(city, host_client):
    now = timezone.now()
    add_notice(city["a1"], "普通通知-旧")
    add_notice(city["a1"], "置顶通知", pinned=True)
    add_notice(city["a1"], "普通通知-新")
    NoticePage.objects.filter(title="置顶通知").update(first_published_at=now - timedelta(days=10))
    NoticePage.objects.filter(title="普通通知-旧").update(first_published_at=now - timedelta(days=3))
    for host, path in [("a1.localhost", "/"), ("a1.localhost", "/notices/")]:
        body = listed_titles(host_client, host, path)
        positions = [body.index(title) for title in ("置顶通知", "普通通知-新", "普通通知-旧")]
        assert positions == sorted(positions), (host, path)


def test_page_cache_timeout_stops_at_the_next_notice_boundary(city, host_client):
    now = timezone.now()
    ceiling = settings.PORTAL_PAGE_CACHE_SECONDS
    assert ceiling > 120
    home = city["a1"].root_page.specific
    request = host_client("a1.localhost").get("/").wsgi_request
    assert home.page_cache_seconds(request) == ceiling

    add_notice(city["a1"], "一分钟后到期", valid_until=now + timedelta(seconds=60))
    assert 30 <= home.page_cache_seconds(request) <= 61
    # A boundary in another community does not shorten this community's cache ...
    add_notice(city["b1"], "乙社区十秒后生效", valid_from=now + timedelta(seconds=10))
    assert 30 <= home.page_cache_seconds(request) <= 61
    # ... but it does shorten the city portal's, which lists every community's notices.
    city_home = city["a1"].street.parent.parent.page.specific
    assert 1 <= city_home.page_cache_seconds(request) <= 11


def test_the_stored_page_uses_the_boundary_timeout(city, host_client):
    add_notice(city["a1"], "半分钟后到期", valid_until=timezone.now() + timedelta(seconds=30))
    with mock.patch.object(page_cache_middleware, "store", wraps=page_cache.store) as store:
        host_client("a1.localhost").get("/notices/")
    assert store.call_count == 1
    timeout = store.call_args.args[4]
    assert 10 <= timeout <= 31


def test_notice_valid_until_before_valid_from_is_refused(city):
    from django.core.exceptions import ValidationError

    now = timezone.now()
    notice = NoticePage(title="错误的通知", body="<p>x</p>", valid_from=now, valid_until=now - timedelta(hours=1))
    try:
        notice.full_clean()
    except ValidationError as exc:
        assert "valid_until" in exc.message_dict
    else:
        raise AssertionError("a notice ending before it starts was accepted")
