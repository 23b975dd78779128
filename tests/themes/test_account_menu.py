"""The header's account menu (我的) and the sign-up link (issue 19): every entry, in order, on the city
site and on a community site, and every entry answers."""

import re

import pytest
from django.utils import translation

MENU = [
    "/accounts/me/",
    "/complaints/",
    "/forum/mine/",
    "/microblog/me/",
    "/deliberations/mine/",
    "/notifications/",
    "/wechat-auth/bindings/",
    "/accounts/me/data/",
]
HOSTS = ["localhost", "a1.localhost"]


def menu_links(html: str) -> list[str]:
    menu = re.search(r'<details class="account-menu">(.*?)</details>', html, re.S)
    assert menu, "no account menu in the header"
    return re.findall(r'<a href="([^"]+)"', menu.group(1)), menu.group(1)


@pytest.mark.parametrize("host", HOSTS)
def test_signed_in_header_has_the_account_menu_in_order(city, host_client, make_user, host):
    user = make_user("wang", display_name="王阿姨")
    with translation.override("zh-hans"):
        html = host_client(host, user).get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    links, menu = menu_links(html)
    assert links == MENU
    assert "我的" in menu and "王阿姨" in menu
    for label in ("我的诉求", "我的帖子", "我的微博", "我的投票与回执", "微信绑定", "退出"):
        assert label in menu, label
    assert 'action="/accounts/logout/"' in menu and 'method="post"' in menu
    assert "/accounts/signup/" not in html


@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("path", MENU)
def test_every_menu_entry_answers_on_every_site(city, host_client, make_user, host, path):
    response = host_client(host, make_user("li")).get(path)
    assert response.status_code == 200, (host, path)


@pytest.mark.parametrize("path", MENU)
def test_menu_entries_ask_anonymous_visitors_to_log_in(city, host_client, path):
    response = host_client("a1.localhost").get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("host", HOSTS)
def test_visitors_see_log_in_and_a_visible_sign_up_link(city, host_client, host):
    html = host_client(host).get("/").content.decode()
    assert 'class="signup-link" href="/accounts/signup/"' in html
    assert "/accounts/login/?next=" in html and "account-menu" not in html
    assert host_client(host).get("/accounts/signup/").status_code == 200
