"""favicon.ico, sitemap.xml, RSS/Atom feeds of notices and news, and short slugs (issue 19)."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from communities.notices.models import NoticeIndexPage, NoticePage
from tests.communities.helpers import add_news, add_notice, section

HOSTS = ["localhost", "a1.localhost", "b1.localhost:8171"]
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize("host", HOSTS)
def test_favicon_is_never_a_404(city, host_client, host):
    response = host_client(host).get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("/themes/base/favicon.ico")
    assert finders.find("themes/base/favicon.ico") and finders.find("themes/base/favicon.svg")
    assert 'rel="icon"' in host_client(host).get("/").content.decode()


def sitemap_locations(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    return [loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")]


def test_each_community_has_its_own_sitemap(city, host_client):
    notice_a, notice_b = add_notice(city["a1"], "甲的通知"), add_notice(city["b1"], "乙的通知")
    locations = sitemap_locations(host_client("a1.localhost:8172"))
    assert "http://a1.localhost:8172/" in locations
    assert f"http://a1.localhost:8172{notice_a.url_path[len(city['a1'].root_page.url_path) - 1 :]}" in locations
    assert all(url.startswith("http://a1.localhost:8172/") for url in locations)
    assert not any(notice_b.slug in url for url in locations)


def test_the_city_sitemap_lists_the_city_pages_only(city, host_client):
    add_notice(city["a1"], "甲的通知")
    locations = sitemap_locations(host_client("localhost:8173"))
    assert "http://localhost:8173/" in locations
    assert "http://localhost:8173/east/" in locations and "http://localhost:8173/east/street-a/" in locations
    assert all(url.startswith("http://localhost:8173/") for url in locations), locations


def test_community_notice_and_news_feeds(city, host_client):
    current = add_notice(city["a1"], "停水通知", summary="3号楼明天停水")
    add_notice(city["a1"], "过期的通知", valid_until=timezone.now() - timedelta(days=1))
    add_notice(city["b1"], "别的社区的通知")
    add_news(city["a1"], "社区新闻一则", intro="敬老活动")
    client = host_client("a1.localhost:8174")

    rss = client.get("/feeds/notices.rss")
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(rss.content).find("channel")
    titles = [item.findtext("title") for item in channel.iter("item")]
    assert titles == ["停水通知"]
    link = channel.find("item").findtext("link")
    assert link.startswith("http://a1.localhost:8174/") and link.endswith(f"/{current.slug}/")
    assert channel.find("item").findtext("description") == "3号楼明天停水"

    atom = client.get("/feeds/news.atom")
    assert atom.status_code == 200 and atom["Content-Type"].startswith("application/atom+xml")
    entries = ET.fromstring(atom.content).findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["社区新闻一则"]

    for path in ("/feeds/notices.atom", "/feeds/news.rss"):
        assert client.get(path).status_code == 200, path


def test_city_feed_names_each_community(city, host_client):
    add_notice(city["a1"], "甲的通知")
    add_notice(city["b1"], "乙的通知")
    channel = ET.fromstring(host_client("localhost").get("/feeds/notices.rss").content).find("channel")
    titles = sorted(item.findtext("title") for item in channel.iter("item"))
    assert titles == ["【社区a1】甲的通知", "【社区b1】乙的通知"]
    links = [item.findtext("link") for item in channel.iter("item")]
    assert all(link.startswith(("http://a1.localhost/", "http://b1.localhost/")) for link in links)


@pytest.mark.parametrize("host", HOSTS)
def test_every_page_links_its_feeds_in_head(city, host_client, host):
    head = host_client(host).get("/").content.decode().split("</head>")[0]
    for path, kind in [
        ("/feeds/notices.rss", "rss"),
        ("/feeds/notices.atom", "atom"),
        ("/feeds/news.rss", "rss"),
        ("/feeds/news.atom", "atom"),
    ]:
        assert f'type="application/{kind}+xml"' in head and f'href="{path}"' in head, path


def test_chinese_titles_get_short_pinyin_slugs(city):
    notice = add_notice(city["a1"], "关于3号楼停水的通知")
    assert notice.slug == "guanyu-3-hao-lou-tingshui-de-tongzhi"
    assert add_notice(city["a1"], "关于3号楼停水的通知").slug == "guanyu-3-hao-lou-tingshui-de-tongzhi-2"
    assert add_notice(city["a1"], "！！！").slug == timezone.localdate().isoformat()
    long = add_notice(city["a1"], "重阳节敬老活动安排及报名须知第二批延期说明以及其他")
    assert len(long.slug) <= 40 and long.slug.startswith("chongyangjie-") and long.slug.isascii()


def admin_form(page, parent, data, user):
    form_class = type(page).get_edit_handler().get_form_class()
    return form_class(data=data, instance=page, parent_page=parent, for_user=user)


def notice_data(title, slug=""):
    return {"title": title, "slug": slug, "body": '{"blocks": []}', "summary": "", "issuer": "", "tags": ""}


def test_the_admin_form_makes_the_slug_from_the_title(city, make_user):
    user = make_user("boss", is_superuser=True, is_staff=True)
    add_notice(city["a1"], "垃圾分类新规")
    parent = section(city["a1"], NoticeIndexPage)  # after adding: treebeard skips the children of a "leaf"
    form = admin_form(NoticePage(), parent, notice_data("垃圾分类新规"), user)
    form.is_valid()
    assert "slug" not in form.errors and form.cleaned_data["slug"] == "lajifenlei-xin-gui-2"
    form = admin_form(NoticePage(), parent, notice_data("垃圾分类新规", slug="垃圾分类"), user)
    form.is_valid()
    assert form.cleaned_data["slug"] == "lajifenlei-xin-gui-2"  # a Chinese slug typed in becomes pinyin too
    form = admin_form(NoticePage(), parent, notice_data("垃圾分类新规", slug="my-own"), user)
    form.is_valid()
    assert form.cleaned_data["slug"] == "my-own"
    existing = NoticePage.objects.get(slug="lajifenlei-xin-gui")
    form = admin_form(existing, parent, notice_data("改了标题", slug="lajifenlei-xin-gui"), user)
    form.is_valid()
    assert form.cleaned_data["slug"] == "lajifenlei-xin-gui"  # an existing page keeps its address
