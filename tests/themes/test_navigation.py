"""The community navigation lists section pages and app sections in the residents' familiar order."""

import re


def nav_labels(html: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    return re.findall(r">([^<>]+)</a>", nav)


def test_community_nav_has_every_existing_section_in_order(city, host_client):
    html = host_client("a1.localhost", None).get("/").content.decode()
    labels = nav_labels(html)
    expected = ["通知公告", "社区新闻", "社区活动", "办事服务", "阳光议事", "民意调查"]
    expected += ["我有话说", "反光镜", "社会组织"]
    assert [label for label in labels if label in expected] == expected
    assert 'href="/complaints/new/"' in html and 'href="/deliberations/"' in html


def test_city_portal_has_no_community_sections(city, host_client):
    html = host_client("localhost").get("/").content.decode()
    assert "/complaints/new/" not in html and "/deliberations/" not in html


def test_app_section_is_marked_current(city, host_client):
    html = host_client("a1.localhost").get("/deliberations/").content.decode()
    assert re.search(r'<a href="/deliberations/" aria-current="page">', html)
