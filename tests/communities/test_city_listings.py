"""The city portal and street pages (issue 19): aggregated listings name the community and list a notice
published by several communities once; every community page has breadcrumbs up to its street, district
and city; the city has its own 反光镜 at /mirror/."""

import re

from communities.notices.models import NoticePage
from communities.pages.aggregate import gather
from tests.communities.helpers import add_news, add_notice


def items_of(html: str, section_id: str) -> list[str]:
    section = html.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r"<li>(.*?)</li>", section, re.S)


def test_city_home_names_the_community_and_folds_copies(city, host_client):
    for slug in ("a1", "b1", "c1"):
        add_notice(city[slug], "全市停水通知")
    add_notice(city["b1"], "乙社区自己的通知")
    html = host_client("localhost").get("/").content.decode()
    items = items_of(html, "latest-notices")
    assert len(items) == 2, items
    copied = next(i for i in items if "全市停水通知" in i)
    assert "社区a1" in copied and "社区b1" in copied and "社区c1" in copied
    own = next(i for i in items if "乙社区自己的通知" in i)
    assert "社区b1" in own and "社区a1" not in own
    assert html.count("全市停水通知") == 1


def test_a_street_page_does_not_repeat_items(city, host_client, settings):
    from communities.regions.models import Region
    from communities.regions.provisioning import provision_community

    provision_community("社区a2", "a2", "street-a")
    from communities.regions.models import Community

    a2 = Community.objects.get(slug="a2")
    for community in (city["a1"], a2):
        add_notice(community, "街道统一通知")
        add_news(community, "街道新闻")
    assert Region.objects.get(slug="street-a")
    html = host_client("localhost").get("/east/street-a/").content.decode()
    assert html.count("街道统一通知") == 1 and html.count("街道新闻") == 1
    item = next(i for i in items_of(html, "street-notices") if "街道统一通知" in i)
    assert "社区a1" in item and "社区a2" in item


def test_gather_counts_communities_beyond_the_named_ones(city):
    for slug in ("a1", "b1", "c1"):
        add_notice(city[slug], "同一通知")
    gathered = gather(NoticePage.objects.live().order_by("-first_published_at"), 10)
    assert len(gathered) == 1 and sorted(gathered[0].communities) == ["社区a1", "社区b1", "社区c1"]
    gathered[0].communities += ["甲", "乙"]
    assert gathered[0].more == 2 and len(gathered[0].named) == 3


def crumbs(html: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S)
    assert nav, "no breadcrumbs"
    return re.findall(r'<li>(?:<a href="([^"]*)">|<span aria-current="page">)([^<]*)<', nav.group(0))


def test_every_community_page_has_breadcrumbs_up_to_the_city(city, host_client):
    notice = add_notice(city["a1"], "停水通知")
    client = host_client("a1.localhost:8171")
    up = [("http://localhost:8171/", "测试市"), ("http://localhost:8171/east/", "东区")]
    up.append(("http://localhost:8171/east/street-a/", "甲街道"))
    assert crumbs(client.get("/").content.decode()) == up + [("", "社区a1")]
    assert crumbs(client.get("/notices/").content.decode())[:4] == up + [("/", "社区a1")]
    page = client.get(notice.url_path[len(city["a1"].root_page.url_path) - 1 :]).content.decode()
    assert crumbs(page)[-1] == ("", "停水通知")
    # pages served by apps, not by Wagtail: up to the community's home
    for path in ("/forum/", "/deliberations/", "/mirror/"):
        assert crumbs(client.get(path).content.decode()) == up + [("/", "社区a1")], path


def test_the_city_home_has_no_breadcrumbs_and_a_street_has_them(city, host_client):
    assert 'class="breadcrumbs"' not in host_client("localhost").get("/").content.decode()
    street = crumbs(host_client("localhost").get("/east/street-a/").content.decode())
    assert street == [("/", "测试市"), ("/east/", "东区"), ("", "甲街道")]


def test_the_city_has_its_own_mirror(city, host_client):
    response = host_client("localhost").get("/mirror/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "测试市" in html and 'href="/mirror/"' in html  # and the city's menu links it
