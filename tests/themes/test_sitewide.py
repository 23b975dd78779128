"""The chrome every page shares (`{% sitewide %}`: head links, header, footer), its sections and breadcrumbs are
worked out once per process and site (portal.core.sites.memo): a change shows at once, and what belongs to one
visitor (their name, menu, CSRF token, the page they are on, their language and mode) never reaches another."""

import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from communities.notices.models import NoticeIndexPage, NoticePage
from communities.regions.models import CommunitySettings

pytestmark = pytest.mark.usefixtures("uncached_pages")


@pytest.fixture
def uncached_pages():
    with override_settings(PORTAL_PAGE_CACHE_SECONDS=0):
        yield


def nav_labels(html: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    return re.findall(r">([^<>]+)</a>", nav)


def header(html: str) -> str:
    return re.search(r'<header class="site-header">.*?</header>', html, re.S).group(0)


def crumbs(html: str) -> list[str]:
    nav = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S)
    return re.findall(r">([^<>]+)</(?:a|span)>", nav.group(0)) if nav else []


def notice_of(community) -> NoticePage:
    index = NoticeIndexPage.objects.child_of(community.root_page).get()
    notice = index.add_child(instance=NoticePage(title="停水通知", slug="tingshui", body="<p>明天停水。</p>"))
    notice.save_revision().publish()
    return notice


def test_a_renamed_section_shows_in_the_menu_and_the_breadcrumbs_at_once(city, host_client):
    notice = notice_of(city["a1"])
    client = host_client("a1.localhost")
    html = client.get("/notices/tingshui/").content.decode()
    assert "通知公告" in nav_labels(html) and "通知公告" in crumbs(html)
    index = notice.get_parent().specific
    index.title = "公告栏"
    index.save_revision().publish()
    html = client.get("/notices/tingshui/").content.decode()
    assert "公告栏" in nav_labels(html) and "通知公告" not in nav_labels(html)
    assert crumbs(html)[-2:] == ["公告栏", "停水通知"]


def test_a_renamed_street_shows_in_the_breadcrumbs_of_its_communities_at_once(city, host_client):
    client = host_client("a1.localhost")
    assert "甲街道" in crumbs(client.get("/deliberations/").content.decode())
    street = Page.objects.get(url_path="/city/east/street-a/").specific
    street.title = "甲街道（新）"
    street.save_revision().publish()
    assert "甲街道（新）" in crumbs(client.get("/deliberations/").content.decode())


def test_breadcrumbs_of_a_page_come_from_the_site_map(city, host_client):
    notice = notice_of(city["a1"])
    client = host_client("a1.localhost")
    assert client.get("/notices/tingshui/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/notices/tingshui/").content.decode()
    assert crumbs(html) == ["测试市", "东区", "甲街道", "社区a1", "通知公告", notice.title]
    assert 'href="/notices/"' in html
    ancestors = [q["sql"] for q in captured.captured_queries if '"wagtailcore_page"."path" IN' in q["sql"]]
    assert ancestors == []


def test_a_changed_setting_shows_in_the_footer_and_header_at_once(city, host_client):
    client = host_client("a1.localhost")
    assert "027-1234" not in client.get("/").content.decode()
    settings = CommunitySettings.for_site(city["a1"].site)
    settings.contact_phone, settings.display_name = "027-1234", "新名字社区"
    settings.save()
    html = client.get("/").content.decode()
    assert "027-1234" in html.split("<footer", 1)[1]
    assert "<span>新名字社区</span>" in header(html)


def test_one_residents_header_never_reaches_another_or_a_visitor(city, host_client, make_user):
    wang, li = make_user("wang", display_name="王阿姨"), make_user("li", display_name="李师傅")
    as_wang, as_li, visitor = (
        host_client("a1.localhost", wang),
        host_client("a1.localhost", li),
        host_client("a1.localhost"),
    )
    first = as_wang.get("/notices/")
    second = as_li.get("/notices/")
    third = visitor.get("/notices/")
    assert "王阿姨" in header(first.content.decode()) and "李师傅" not in header(first.content.decode())
    assert "李师傅" in header(second.content.decode()) and "王阿姨" not in header(second.content.decode())
    for html in (header(third.content.decode()),):
        assert "王阿姨" not in html and "李师傅" not in html and "account-menu" not in html
        assert "/accounts/login/?next=/notices/" in html and "csrfmiddlewaretoken" not in html
    token = r'<form method="post" action="/accounts/logout/"><input type="hidden" name="csrfmiddlewaretoken" value="'
    assert token in header(first.content.decode()) and token in header(second.content.decode())
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value  # each their own secret


def test_the_page_being_served_shows_in_the_shared_header(city, host_client, make_user):
    client = host_client("a1.localhost", make_user())
    first = header(client.get("/deliberations/").content.decode())
    second = header(client.get("/complaints/?x=<b>").content.decode())
    assert "next=/deliberations/" in first and 'name="next" value="/deliberations/"' in first
    assert "next=/complaints/%3Fx%3D%253Cb%253E" in second and 'value="/complaints/?x=%3Cb%3E"' in second
    assert re.search(r'<a href="/deliberations/" aria-current="page">', first)
    assert not re.search(r'<a href="/deliberations/" aria-current="page">', second)
    assert re.search(r'<a href="/complaints/" aria-current="page">', second)  # 我的诉求 in the account menu
    search = host_client("a1.localhost").get("/search/?q=停水").content.decode()
    assert 'id="site-search-q" name="q" value="停水"' in search
    assert 'id="site-search-q" name="q" value=""' in host_client("a1.localhost").get("/").content.decode()


def test_language_and_elder_mode_each_get_their_own_chrome(city, host_client):
    client = host_client("a1.localhost")
    chinese = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "长辈模式" in header(chinese) and "登录" in header(chinese)
    assert "Elder-friendly mode" in header(english) and "Log in" in header(english)
    assert "Notices" in nav_labels(english) and "通知公告" in nav_labels(chinese)
    client.cookies["elder_mode"] = "1"
    elder = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "elder.css" in elder and "?on=0&amp;next=/" in header(elder)
    del client.cookies["elder_mode"]
    plain = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "elder.css" not in plain and "?on=1&amp;next=/" in header(plain)


def test_a_page_added_under_a_sites_home_after_the_map_was_loaded_is_served(city, host_client):
    client = host_client("a1.localhost")
    assert client.get("/").status_code == 200  # the map is loaded
    home = city["a1"].root_page
    draft = home.add_child(instance=NoticeIndexPage(title="草稿栏目", slug="draft-section", live=False))
    assert client.get("/draft-section/").status_code == 404  # not in the map: looked up, not live
    child = draft.add_child(instance=NoticePage(title="栏目里的通知", slug="inside", body="<p>x</p>"))
    child.save_revision().publish()
    assert client.get("/draft-section/inside/").status_code == 200
    assert client.get("/no-such-section/").status_code == 404
    assert client.get("/notices/no-such-notice/").status_code == 404


def test_breadcrumbs_of_a_page_below_another_page_link_each_ancestor(city, host_client):
    notice = notice_of(city["a1"])
    below = notice.add_child(instance=NoticePage(title="补充说明", slug="buchong", body="<p>y</p>"))
    below.save_revision().publish()
    html = host_client("a1.localhost").get("/notices/tingshui/buchong/").content.decode()
    assert crumbs(html)[-3:] == ["通知公告", "停水通知", "补充说明"]
    assert 'href="/notices/"' in html and 'href="/notices/tingshui/"' in html


def test_a_section_s_child_is_read_in_its_own_type_in_one_query(city, host_client):
    """Below a section that allows one type of page, the page is read from that type's table at once (it was
    the page, then its type); a page of another type put there in code is still served as what it is."""
    from communities.news.models import NewsArticlePage

    notice_of(city["a1"])
    client = host_client("a1.localhost")
    assert client.get("/notices/tingshui/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/notices/tingshui/").status_code == 200
    pages = [q["sql"] for q in captured.captured_queries if "wagtailcore_page" in q["sql"]]
    tables = [re.search(r'FROM "(\w+)"', sql).group(1) for sql in pages]
    # The page alone: the section is known from the site map and not read (tests/communities/test_routing.py).
    assert tables == ["community_notices_noticepage"]
    index = NoticeIndexPage.objects.child_of(city["a1"].root_page).get()
    stray = index.add_child(instance=NewsArticlePage(title="放错栏目的新闻", slug="stray", body="<p>z</p>"))
    stray.save_revision().publish()
    response = client.get("/notices/stray/")
    assert response.status_code == 200 and isinstance(response.context["page"], NewsArticlePage)
    assert client.get("/notices/no-such-notice/").status_code == 404


def test_sitewide_with_a_row_needs_its_sitewide_key(city, rf):
    """`{% sitewide with %}` keys its rendering by what it is given: a row without a `sitewide_key` (keyed by its
    id alone, it would go stale when it changes) is refused; a flag or a number is its own key."""
    from django.template import Context, Template, TemplateSyntaxError

    request = rf.get("/", HTTP_HOST="a1.localhost")
    text = "{% load portal_tags %}{% sitewide with item=item %}[{{ item }}]{% endsitewide %}"
    assert Template(text).render(Context({"request": request, "item": 3})) == "[3]"
    assert Template(text).render(Context({"request": request, "item": 4})) == "[4]"
    with pytest.raises(TemplateSyntaxError):
        Template(text).render(Context({"request": request, "item": city["a1"]}))


def test_a_preview_is_neither_served_from_the_memo_nor_kept_in_it(city, rf):
    """A preview (`request.is_preview`, set by Wagtail) shows a draft that no key names: `{% sitewide %}` renders it
    without the memo, and what it rendered is not kept for the next request."""
    from django.template import Context, Template

    class Shown:
        sitewide_key = ("shown", 1)  # the same key for the live and the draft text, as a page's draft has

        def __init__(self, text):
            self.text = text

    template = Template("{% load portal_tags %}{% sitewide with item=item %}[{{ item.text }}]{% endsitewide %}")

    def render(text, preview=False):
        request = rf.get("/", HTTP_HOST="a1.localhost")
        if preview:
            request.is_preview = True
        return template.render(Context({"request": request, "item": Shown(text)}))

    # A preview first: not kept, so the live rendering after it is the live text.
    assert render("草稿", preview=True) == "[草稿]"
    assert render("已发布") == "[已发布]"
    # Now kept: another live request with the same key gets the kept HTML (the memo is in use here) ...
    assert render("别的文字") == "[已发布]"
    # ... and a preview is still rendered from its own context, and leaves the kept HTML alone.
    assert render("新草稿", preview=True) == "[新草稿]"
    assert render("别的文字") == "[已发布]"
