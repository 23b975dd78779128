"""A page inside a community's section (/notices/<slug>/) is routed with one query, without reading the section,
and still exactly as Wagtail routes it: a 404 for what is not there, the section's privacy, a draft unseen."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from communities.events.models import EventIndexPage
from communities.news.models import NewsIndexPage
from communities.notices.models import NoticeIndexPage
from communities.pages.models import PortalPage

from .helpers import add_event, add_news, add_notice, section

HOST = "a1.localhost"
ADDERS = {NoticeIndexPage: add_notice, NewsIndexPage: add_news, EventIndexPage: add_event}


def below_home(page):
    return page.url_path[len(page.get_site().root_page.url_path) - 1 :]


@pytest.mark.parametrize("section_class", ADDERS, ids=lambda c: c.__name__)
def test_a_page_in_a_section_is_found_without_reading_the_section(city, host_client, section_class):
    assert section_class.route is PortalPage.route and len(section_class.allowed_subpage_models()) == 1
    page = ADDERS[section_class](city["a1"], "楼道清理")
    client = host_client(HOST)
    client.get("/")  # this process's site map
    with CaptureQueriesContext(connection) as captured:
        response = client.get(below_home(page))
    assert response.status_code == 200 and response.context["page"].pk == page.pk
    section_table = section_class._meta.db_table
    assert not [q["sql"] for q in captured if section_table in q["sql"]]


def test_what_is_not_there_is_404_and_a_draft_is_not_served(city, host_client):
    draft = add_notice(city["a1"], "还没发布", live=False)
    other = add_notice(city["b1"], "别的社区")
    client = host_client(HOST)
    assert client.get(below_home(draft)).status_code == 404
    assert client.get("/notices/no-such-notice/").status_code == 404
    assert client.get(below_home(other)).status_code == 404  # b1's notice is not on a1's host
    assert host_client("b1.localhost").get(below_home(other)).status_code == 200


def test_a_private_section_keeps_its_pages_private(city, host_client):
    notice = add_notice(city["a1"], "内部通知")
    PageViewRestriction.objects.create(
        page=section(city["a1"], NoticeIndexPage), restriction_type=PageViewRestriction.PASSWORD, password="x1y2"
    )
    response = host_client(HOST).get(below_home(notice))
    assert response.status_code == 200 and "内部通知" not in response.content.decode()
    assert 'name="password"' in response.content.decode()


def test_a_page_of_another_type_in_a_section_is_still_found(city, host_client):
    from communities.news.models import NewsArticlePage

    notices = section(city["a1"], NoticeIndexPage)
    odd = notices.add_child(instance=NewsArticlePage(title="放错地方的新闻", slug="odd", body="<p>x</p>"))
    response = host_client(HOST).get(below_home(odd))
    assert response.status_code == 200 and response.context["page"].pk == odd.pk
