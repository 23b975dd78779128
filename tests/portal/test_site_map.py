"""What the per-process site map answers in place of queries stays true when pages and restrictions change.

The map holds each site's root page in its specific type, its menu, its settings and the pages
that may carry a view restriction; every test first serves pages so that the map is loaded
before the change.
"""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from communities.notices.models import NoticeIndexPage
from tests.communities.helpers import add_notice, section

pytestmark = pytest.mark.parametrize("cache_seconds", [0, 300], ids=["uncached", "cached"])


def status(host_client, host, path):
    return host_client(host).get(path).status_code


def restrict_to_logged_in(page):
    return PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)


def test_a_restriction_added_after_serving_applies_at_once(city, host_client, cache_seconds):
    notice = add_notice(city["a1"], "只给登录居民看的通知")
    with override_settings(PORTAL_PAGE_CACHE_SECONDS=cache_seconds):
        for _ in range(2):
            assert status(host_client, "a1.localhost", "/notices/") == 200
            assert status(host_client, "a1.localhost", notice.url) == 200
        restriction = restrict_to_logged_in(section(city["a1"], NoticeIndexPage))
        for path in ("/notices/", notice.url):  # the page and the pages below it
            response = host_client("a1.localhost").get(path)
            assert response.status_code == 302 and "/login" in response["Location"], path
        assert status(host_client, "b1.localhost", "/notices/") == 200
        restriction.delete()
        assert status(host_client, "a1.localhost", notice.url) == 200


def test_an_alias_of_a_restricted_page_is_restricted_too(city, host_client, cache_seconds):
    notice = add_notice(city["a1"], "受限通知")
    restrict_to_logged_in(notice)
    with override_settings(PORTAL_PAGE_CACHE_SECONDS=cache_seconds):
        assert status(host_client, "b1.localhost", "/notices/") == 200
        alias = notice.create_alias(parent=section(city["b1"], NoticeIndexPage))
        assert status(host_client, "b1.localhost", alias.url) == 302


def test_an_unrestricted_page_costs_no_restriction_root_or_settings_query(city, host_client, cache_seconds):
    restrict_to_logged_in(section(city["b1"], NoticeIndexPage))  # elsewhere in the city
    with override_settings(PORTAL_PAGE_CACHE_SECONDS=0):
        assert status(host_client, "a1.localhost", "/notices/") == 200
        with CaptureQueriesContext(connection) as captured:
            assert status(host_client, "a1.localhost", "/notices/") == 200
    tables = " ".join(q["sql"] for q in captured.captured_queries)
    for table in ("pageviewrestriction", "community_pages_communityhomepage", "regions_communitysettings"):
        assert table not in tables


def test_publishing_a_community_home_shows_its_new_text(city, host_client, cache_seconds):
    with override_settings(PORTAL_PAGE_CACHE_SECONDS=cache_seconds):
        assert "新的社区简介" not in host_client("a1.localhost").get("/").content.decode()
        home = city["a1"].root_page.specific
        home.intro = "<p>新的社区简介</p>"
        home.save_revision().publish()
        assert "新的社区简介" in host_client("a1.localhost").get("/").content.decode()


def nav(host_client, host):
    html = host_client(host).get("/").content.decode()
    return html[html.index('<nav class="site-nav"') : html.index("</nav>")]


def test_the_menu_follows_publishing_of_section_pages(city, host_client, cache_seconds):
    from communities.services.models import ServiceDirectoryPage

    services = section(city["a1"], ServiceDirectoryPage)
    with override_settings(PORTAL_PAGE_CACHE_SECONDS=cache_seconds):
        assert services.title in nav(host_client, "a1.localhost")
        services.title = "便民服务大厅"
        services.save_revision().publish()
        assert "便民服务大厅" in nav(host_client, "a1.localhost")
        services.unpublish()
        assert "便民服务大厅" not in nav(host_client, "a1.localhost")
        assert "便民服务大厅" not in nav(host_client, "b1.localhost")


def test_site_settings_show_at_once(city, host_client, cache_seconds):
    from communities.regions.models import CommunitySettings

    with override_settings(PORTAL_PAGE_CACHE_SECONDS=cache_seconds):
        assert "翠湖社区服务站" not in host_client("a1.localhost").get("/").content.decode()
        settings = CommunitySettings.for_site(city["a1"].site)
        settings.display_name = "翠湖社区服务站"
        settings.save()
        assert "翠湖社区服务站" in host_client("a1.localhost").get("/").content.decode()
        assert "翠湖社区服务站" not in host_client("b1.localhost").get("/").content.decode()


def test_a_renamed_community_shows_its_new_name_at_once(city, host_client, cache_seconds):
    """The map holds each site's community (portal.core.sites.community_for_request): saving one renews it."""
    with override_settings(PORTAL_PAGE_CACHE_SECONDS=cache_seconds):
        assert "社区a1" in host_client("a1.localhost").get("/mirror/").content.decode()
        community = city["a1"]
        community.name = "改名社区"
        community.save()
        assert "改名社区" in host_client("a1.localhost").get("/mirror/").content.decode()


def test_community_for_request_needs_no_query(city, rf, cache_seconds):
    from portal.core import sites

    sites.community_for_request(rf.get("/", HTTP_HOST="a1.localhost"))  # loads the map
    with CaptureQueriesContext(connection) as captured:
        assert sites.community_for_request(rf.get("/", HTTP_HOST="a1.localhost")) == city["a1"]
        assert sites.community_for_request(rf.get("/", HTTP_HOST="localhost")) is None
    assert [q["sql"] for q in captured if "cache" not in q["sql"]] == []
