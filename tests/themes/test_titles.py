"""Every page type in both languages has the title "page · site" with the site's name once (a home page
is titled by its name alone), and the site's own words in the chosen language (issue 19)."""

import html as htmllib
import re

import pytest

from tests.communities.helpers import add_event, add_news, add_notice

CITY = "测试市"
COMMUNITY = "社区a1"

# (host, path, who): who is None for a visitor, "me" for a signed-in resident
PAGES = [
    ("localhost", "/", None),
    ("localhost", "/east/", None),
    ("localhost", "/east/street-a/", None),
    ("localhost", "/search/?q=停水", None),
    ("localhost", "/accounts/login/", None),
    ("a1.localhost", "/", None),
    ("a1.localhost", "/notices/", None),
    ("a1.localhost", "NOTICE", None),
    ("a1.localhost", "/news/", None),
    ("a1.localhost", "NEWS", None),
    ("a1.localhost", "/events/", None),
    ("a1.localhost", "EVENT", None),
    ("a1.localhost", "/services/", None),
    ("a1.localhost", "/polls/", None),
    ("a1.localhost", "/organisations/", None),
    ("a1.localhost", "/tags/", None),
    ("a1.localhost", "/forum/", None),
    ("a1.localhost", "/deliberations/", None),
    ("a1.localhost", "/microblog/", None),
    ("a1.localhost", "/governance/", None),
    ("a1.localhost", "/mirror/", None),
    ("a1.localhost", "/complaints/new/", "me"),
    ("a1.localhost", "/accounts/signup/", None),
    ("a1.localhost", "/accounts/me/", "me"),
    ("a1.localhost", "/accounts/me/data/", "me"),
    ("a1.localhost", "/notifications/", "me"),
    ("a1.localhost", "/forum/mine/", "me"),
    ("a1.localhost", "/deliberations/mine/", "me"),
    ("a1.localhost", "/complaints/", "me"),
]
HOMES = {("localhost", "/"), ("a1.localhost", "/")}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_type_has_the_title_pattern(city, host_client, make_user, language):
    made = {
        "NOTICE": add_notice(city["a1"], "停水通知"),
        "NEWS": add_news(city["a1"], "社区新闻"),
        "EVENT": add_event(city["a1"], "重阳节活动"),
    }
    me = make_user("me", display_name="王阿姨")
    problems = []
    for host, path, who in PAGES:
        if path in made:
            page = made[path]
            path = page.url_path[len(city["a1"].root_page.url_path) - 1 :]
        client = host_client(host, me if who else None)
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code != 200:
            problems.append(f"{host}{path}: {response.status_code}")
            continue
        body = response.content.decode()
        expected_lang = "zh-Hans" if language == "zh-hans" else "en"
        assert f'<html lang="{expected_lang}">' in body, (host, path)
        title = htmllib.unescape(re.search(r"<title>(.*?)</title>", body, re.S).group(1)).strip()
        site = CITY if host == "localhost" else COMMUNITY
        parts = title.split(" · ")
        if parts[-1] != site or title.count(site) != 1:
            problems.append(f"{host}{path}: {title!r} should end with the site's name, once")
        elif (host, path) in HOMES and title != site:
            problems.append(f"{host}{path}: a home is titled by its name alone, not {title!r}")
        elif (host, path) not in HOMES and (len(parts) < 2 or not all(p.strip() for p in parts)):
            problems.append(f"{host}{path}: {title!r} names no page")
        elif language == "zh-hans" and re.search(r"[A-Za-z]{3,}", title):
            problems.append(f"{host}{path}: {title!r} has English words in Chinese")
    assert not problems, "\n".join(problems)


def test_the_english_menu_is_english_and_the_chinese_menu_chinese(city, host_client):
    nav = {}
    for language in ("en", "zh-hans"):
        body = host_client("a1.localhost").get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        nav[language] = re.search(r'<nav class="site-nav".*?</nav>', body, re.S).group(0)
    assert "Notices" in nav["en"] and "Community news" in nav["en"] and "Polls" in nav["en"]
    assert not re.search(r"[\u4e00-\u9fff]", re.sub(r"\(反光镜\)", "", nav["en"])), nav["en"]
    assert "通知公告" in nav["zh-hans"] or "通知" in nav["zh-hans"]
    assert not re.search(r">[^<]*[A-Za-z]{3,}[^<]*<", nav["zh-hans"].replace('aria-label="', "")), nav["zh-hans"]


def test_an_editor_renamed_section_keeps_its_name_in_english(city, host_client):
    from communities.notices.models import NoticeIndexPage

    index = NoticeIndexPage.objects.child_of(city["a1"].root_page).get()
    index.title = "居委会公告栏"
    index.save_revision().publish()
    body = host_client("a1.localhost").get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "居委会公告栏" in body


def test_wagtail_admin_strings_missing_from_its_chinese_catalogue_are_translated(city, make_user, host_client):
    boss = make_user("boss", is_staff=True, is_superuser=True)
    client = host_client("localhost", boss)
    dashboard = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "个页面" in dashboard and " Pages <span" not in dashboard
    empty = client.get("/admin/forum_categories/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "There are no" not in empty and "还没有" in empty


def test_kind_and_category_are_told_apart_in_chinese(city, host_client, make_user):
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Kind") != translation.gettext("Category")
        assert translation.gettext("kind") != translation.gettext("category")


def test_breadcrumbs_name_the_starting_sections_in_the_visitors_language(city, host_client):
    client = host_client("a1.localhost")
    english = client.get("/notices/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get("/notices/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    crumbs = {
        lang: re.search(r'<nav class="breadcrumbs".*?</nav>', body, re.S).group(0)
        for lang, body in (("en", english), ("zh-hans", chinese))
    }
    assert ">Notices<" in crumbs["en"] and "通知公告" not in crumbs["en"], crumbs["en"]
    assert ">通知公告<" in crumbs["zh-hans"], crumbs["zh-hans"]


def test_a_section_made_with_the_english_label_is_chinese_for_chinese_visitors(city, host_client):
    """A demo seeded before the catalogues were compiled titles its sections in English."""
    from communities.notices.models import NoticeIndexPage

    index = NoticeIndexPage.objects.child_of(city["a1"].root_page).get()
    index.title = "Notices"
    index.save_revision().publish()
    body = host_client("a1.localhost").get("/notices/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    nav = re.search(r'<nav class="site-nav".*?</nav>', body, re.S).group(0)
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', body, re.S).group(0)
    assert "通知公告" in nav and ">Notices<" not in nav, nav
    assert "通知公告" in crumbs and ">Notices<" not in crumbs, crumbs
    assert "<title>通知公告 · 社区a1</title>" in body and "<h1>通知公告</h1>" in body
    english = host_client("a1.localhost").get("/notices/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<title>Notices · 社区a1</title>" in english and "<h1>Notices</h1>" in english
