"""Elder-friendly mode and the language switch: on every page, without JavaScript, cache-safe."""

import re

import polib
import pytest
from django.conf import settings as django_settings
from django.test import Client

from communities.regions.models import CommunitySettings


def test_elder_switch_sets_a_cookie_and_swaps_the_stylesheet(city, host_client):
    client = host_client("a1.localhost")
    html = client.get("/notices/").content.decode()
    assert 'href="/preferences/elder-mode/?on=1&amp;next=/notices/"' in html
    assert "elder.css" not in html

    response = client.get("/preferences/elder-mode/", {"on": "1", "next": "/notices/"})
    assert response.status_code == 302 and response["Location"] == "/notices/"
    assert response.cookies["elder_mode"].value == "1"
    assert response.cookies["elder_mode"]["max-age"] == 365 * 24 * 3600

    html = client.get("/notices/").content.decode()
    assert "/static/themes/base/elder.css" in html and "elder-mode" in html
    assert "?on=0&amp;next=/notices/" in html  # the switch back

    client.get("/preferences/elder-mode/", {"on": "0"})
    assert "elder.css" not in client.get("/notices/").content.decode()


def test_elder_switch_never_redirects_off_site(city, host_client):
    response = host_client("a1.localhost").get("/preferences/elder-mode/", {"on": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_chinese_by_default_and_english_after_the_switch_without_a_csrf_token(city):
    client = Client(HTTP_HOST="a1.localhost", enforce_csrf_checks=True)
    html = client.get("/").content.decode()
    assert '<html lang="zh-Hans">' in html and "跳到正文" in html and "长辈模式" in html
    assert "csrfmiddlewaretoken" not in html  # anonymous pages stay cacheable

    response = client.post("/preferences/language/", {"language": "en", "next": "/news/"})
    assert response.status_code == 302 and response["Location"] == "/news/"
    html = client.get("/news/").content.decode()
    assert '<html lang="en">' in html and "Skip to content" in html and "Elder-friendly mode" in html
    assert 'name="language" value="zh-hans"' in html


def test_dates_follow_the_active_language(city, host_client):
    client = host_client("a1.localhost")
    from communities.notices.models import NoticePage

    home = city["a1"].root_page
    notices = home.get_children().get(slug="notices")
    notice = NoticePage(title="停水通知", slug="water", body="<p>周三停水。</p>")
    notices.add_child(instance=notice)
    notice.save_revision().publish()
    zh = client.get("/notices/").content.decode()
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", zh)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get("/notices/").content.decode()
    assert not re.search(r"\d{4}年", en)
    assert re.search(r"\d{1,2}/\d{1,2}/\d{4}", en)


def test_every_page_offers_the_switches_search_and_login(city, host_client):
    client = host_client("a1.localhost")
    for url in ["/", "/notices/", "/news/", "/events/", "/services/", "/tags/", "/accounts/login/", "/search/?q=x"]:
        html = client.get(url).content.decode()
        assert 'class="skip-link" href="#main"' in html, url
        assert "/preferences/elder-mode/?on=1" in html, url
        assert 'action="/preferences/language/"' in html, url
        assert 'role="search"' in html, url
        assert "/accounts/login/?next=" in html, url


def test_login_state_shows_the_residents_name_and_a_logout_button(city, host_client, make_user):
    resident = make_user("wang", display_name="王阿姨")
    html = host_client("a1.localhost", user=resident).get("/").content.decode()
    assert "王阿姨" in html and 'action="/accounts/logout/"' in html
    assert "/accounts/login/?next=" not in html


def test_community_logo_is_shown_in_the_header(city, host_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="logo", file=get_test_image_file())
    CommunitySettings.objects.filter(site=city["a1"].site).update(logo=image)
    html = host_client("a1.localhost").get("/").content.decode()
    header = html.split('class="site-name"')[1].split("</a>")[0]
    assert 'class="site-logo"' in header and 'alt=""' in header and "社区a1" in header


@pytest.mark.parametrize("path", ["locale/zh_Hans/LC_MESSAGES/django.po"])
def test_root_catalogue_translates_every_string(path):
    catalogue = polib.pofile(str(django_settings.BASE_DIR / path))
    assert len(catalogue) > 150
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert catalogue.find("Elder-friendly mode").msgstr == "长辈模式"
    for section, title in [("Notices", "通知公告"), ("Community news", "社区新闻"), ("Events", "社区活动")]:
        assert catalogue.find(section).msgstr == title
    assert catalogue.find("Services").msgstr == "办事服务"
