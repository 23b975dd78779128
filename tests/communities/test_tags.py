"""The tag listing of a community shows only that community's live pages."""

from datetime import timedelta

from django.utils import timezone

from communities.notices.models import NoticePage

from .helpers import add_event, add_news, add_notice


def get(host_client, host, path):
    return host_client(host).get(path)


def test_tag_index_lists_only_this_communitys_tags(city, host_client):
    add_news(city["a1"], "甲社区新闻", tags=["垃圾分类", "共用标签"])
    add_notice(city["b1"], "乙社区通知", tags=["乙社区专用", "共用标签"])
    body = get(host_client, "a1.localhost", "/tags/").content.decode()
    assert "垃圾分类" in body and "共用标签" in body
    assert "乙社区专用" not in body


def test_tag_listing_shows_this_communitys_pages_of_every_kind(city, host_client):
    add_news(city["a1"], "甲社区新闻", tags=["志愿服务"])
    add_notice(city["a1"], "甲社区通知", tags=["志愿服务"])
    add_event(city["a1"], "甲社区活动", tags=["志愿服务"])
    add_news(city["b1"], "乙社区新闻", tags=["志愿服务"])
    response = get(host_client, "a1.localhost", "/tags/志愿服务/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "甲社区新闻" in body and "甲社区通知" in body and "甲社区活动" in body
    assert "乙社区新闻" not in body
    assert "乙社区新闻" in get(host_client, "b1.localhost", "/tags/志愿服务/").content.decode()


def test_ascii_tag_slug(city, host_client):
    add_news(city["a1"], "Garbage sorting news", tags=["Recycling"])
    assert "Garbage sorting news" in get(host_client, "a1.localhost", "/tags/recycling/").content.decode()


def test_unknown_tag_is_404(city, host_client):
    assert get(host_client, "a1.localhost", "/tags/no-such-tag/").status_code == 404
    assert get(host_client, "a1.localhost", "/tags/没有这个标签/").status_code == 404


def test_unpublished_and_expired_pages_are_not_listed(city, host_client):
    add_news(city["a1"], "草稿新闻", tags=["草稿标签"], live=False)
    add_notice(city["a1"], "过期通知", tags=["过期标签"], valid_until=timezone.now() - timedelta(hours=1))
    assert "草稿标签" not in get(host_client, "a1.localhost", "/tags/").content.decode()
    listing = get(host_client, "a1.localhost", "/tags/过期标签/")
    assert "过期通知" not in listing.content.decode()
    assert NoticePage.objects.filter(title="过期通知").exists()


def test_tag_links_on_a_page_lead_to_its_communitys_listing(city, host_client):
    article = add_news(city["a1"], "带标签的新闻", tags=["邻里节"])
    response = get(host_client, "a1.localhost", article.relative_url(city["a1"].site))
    assert response.status_code == 200
    assert 'href="/tags/邻里节/"' in response.content.decode()
