"""The custom menu: built from the community's navigation within WeChat's limits, previewed and pushed
from the admin, WeChat's error shown when it refuses."""

import pytest

from portal.wechat.menu import BUTTON_BYTES, SUB_BUTTON_BYTES, build_menu, fit, sections

MENU = "/admin/wechat_accounts/menu/{}/"


@pytest.fixture
def worker_client(city, make_user, host_client):
    user = make_user(is_staff=True)
    user.groups.add(city["a1"].editors_group)
    return host_client("localhost", user)


def test_fit_cuts_on_a_character_boundary():
    assert fit("一二三四五六", 16) == "一二三四五"
    assert fit("Notices", 16) == "Notices"


def test_the_menu_follows_the_navigation_within_wechat_limits(make_account):
    account = make_account("a1")
    found = sections(account.community.site)
    assert len(found) > 3  # the provisioned sections and those apps add (complaints, deliberations, ...)
    menu, omitted = build_menu(account)
    buttons = menu["button"]
    assert len(buttons) == 3
    assert all(len(b["name"].encode()) <= BUTTON_BYTES for b in buttons)
    subs = buttons[2]["sub_button"]
    assert 1 <= len(subs) <= 5 and all(len(s["name"].encode()) <= SUB_BUTTON_BYTES for s in subs)
    shown = [b["url"] for b in buttons[:2]] + [s["url"] for s in subs]
    assert all(url.startswith("http://a1.localhost") for url in shown)
    assert len(shown) + len(omitted) == len(found)
    assert [title for _k, title, _u in found[:2]] == [b["name"] for b in buttons[:2]]


def test_a_worker_previews_and_pushes_the_menu(make_account, worker_client, standin):
    account = make_account("a1")
    preview = worker_client.get(MENU.format(account.pk))
    assert preview.status_code == 200
    menu, _omitted = build_menu(account)
    assert menu["button"][0]["name"] in preview.content.decode()
    assert standin.sent("/cgi-bin/menu/create") == []  # a preview pushes nothing
    pushed = worker_client.post(MENU.format(account.pk))
    assert pushed.status_code == 200
    assert standin.sent("/cgi-bin/menu/create") == [menu]


def test_wechat_refusing_the_menu_is_shown_with_its_words(make_account, worker_client, standin):
    from portal.wechat.models import Account

    account = make_account("a1")
    standin.fail_next(48001)
    page = worker_client.post(MENU.format(account.pk)).content.decode()
    assert "48001" in page and "api unauthorized" in page
    assert Account.objects.get(pk=account.pk).last_error.startswith("48001")


def test_another_communitys_menu_is_refused(make_account, worker_client, standin):
    other = make_account("b1", app_id="wx00000000000000bb")
    assert worker_client.get(MENU.format(other.pk)).status_code in (302, 403, 404)
    assert worker_client.post(MENU.format(other.pk)).status_code in (302, 403, 404)
    assert standin.sent("/cgi-bin/menu/create") == []
