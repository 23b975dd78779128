"""Elder-friendly mode and the language switch in the insights pages (issue 16): the same elder-mode decision
as the public pages (the profile flag or the cookie), toggled through the public preferences view; the
language is the staff user's Wagtail admin language, switched by a POST that comes back to the same page."""

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.users.models import UserProfile

from portal.insights import rollup

pytestmark = pytest.mark.django_db
DASHBOARD = "/admin/insights/"
MAP = "/admin/insights/map/"
LANGUAGE = "/admin/insights/language/"
ELDER_CSS = "/static/themes/base/insights-elder.css"


def period():
    today = rollup.today()
    return f"start={(today - timedelta(days=6)).isoformat()}&end={today.isoformat()}"


def insights_pages():
    return {
        "dashboard": f"{DASHBOARD}?{period()}",
        "map": f"{MAP}?{period()}",
        "items": f"/admin/insights/items/?{period()}&figure=complaints.new",
        "print": f"{DASHBOARD}?{period()}&print=1",
    }


def boss(make_user, language="zh-hans", **extra):
    user = make_user("boss", is_staff=True, is_superuser=True, **extra)
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": language})
    return user


def body_classes(page: str) -> list[str]:
    found = re.search(r"<body[^>]*\sclass=\"([^\"]*)\"", page)
    return found.group(1).split() if found else []


def heading(page: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<h1\b.*?</h1>", page, re.S).group(0)).strip()


def form_posting_to(page: str, action_prefix: str) -> str:
    forms = [f for f in re.findall(r"<form\b.*?</form>", page, re.S) if re.search(rf'action="{action_prefix}', f)]
    assert len(forms) == 1, forms
    return forms[0]


def hidden(form: str, name: str) -> str:
    return html.unescape(re.search(rf'name="{name}" value="([^"]*)"', form).group(1))


def test_the_dashboard_is_in_chinese_for_a_zh_hans_user_and_in_english_after_the_switch(city, categories, make_user):
    user = boss(make_user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = f"{DASHBOARD}?{period()}&category="
    page = client.get(url).content.decode()
    assert '<html lang="zh-hans"' in page
    assert "<title>决策分析" in page and heading(page) == "决策分析"  # the page title and its heading
    assert ">显示</button>" in page and "打印版" in page and ">长辈模式</button>" in page
    switch = form_posting_to(page, LANGUAGE)
    assert 'name="language" value="en" lang="en">English</button>' in switch
    assert hidden(switch, "next") == url

    response = client.post(
        LANGUAGE,
        {
            "language": "en",
            "next": hidden(switch, "next"),
            "csrfmiddlewaretoken": hidden(switch, "csrfmiddlewaretoken"),
        },
    )
    assert response.status_code == 302 and response["Location"] == url  # the same page, its filters kept
    assert UserProfile.get_for_user(user).preferred_language == "en"
    page = client.get(response["Location"]).content.decode()
    assert '<html lang="en"' in page
    assert (
        "<title>Insights" in page
        and heading(page) == "Insights"
        and "决策分析" not in page
        and ">Show</button>" in page
    )
    assert ">Elder-friendly mode</button>" in page and "Printable page" in page
    assert 'value="zh-hans" lang="zh-Hans">中文</button>' in form_posting_to(page, LANGUAGE)
    # the map follows the same preference, and back to Chinese
    assert "<title>Map" in client.get(MAP).content.decode()
    token = hidden(form_posting_to(page, LANGUAGE), "csrfmiddlewaretoken")
    client.post(LANGUAGE, {"language": "zh-hans", "next": MAP, "csrfmiddlewaretoken": token})
    assert "<title>电子地图" in client.get(MAP).content.decode()


@pytest.mark.parametrize(
    "data, status, location",
    [
        ({"language": "de", "next": DASHBOARD}, 400, None),  # Wagtail has German; the project does not
        ({"language": "", "next": DASHBOARD}, 400, None),
        ({"language": "en\x00", "next": DASHBOARD}, 400, None),
        ({"next": DASHBOARD}, 400, None),
        ({"language": "en", "next": "https://evil.example/admin/"}, 302, DASHBOARD),
        ({"language": "en", "next": "//evil.example/"}, 302, DASHBOARD),
        ({"language": "en", "next": "/\\evil.example/"}, 302, DASHBOARD),
        ({"language": "en"}, 302, DASHBOARD),
        ({"language": "en", "next": f"{MAP}?level=street"}, 302, f"{MAP}?level=street"),
    ],
)
def test_the_language_switch_refuses_bad_input(client, city, make_user, data, status, location):
    user = boss(make_user)
    client.force_login(user)
    response = client.post(LANGUAGE, data)
    assert response.status_code == status
    if location:
        assert response["Location"] == location
    expected = "en" if status == 302 else "zh-hans"
    assert UserProfile.get_for_user(user).preferred_language == expected


def test_the_language_switch_is_a_staff_post_with_a_csrf_token(city, make_user):
    user = boss(make_user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get(LANGUAGE, {"language": "en"}).status_code == 405
    assert client.post(LANGUAGE, {"language": "en", "next": DASHBOARD}).status_code == 403  # no token
    assert UserProfile.get_for_user(user).preferred_language == "zh-hans"

    resident = make_user("resident")
    anonymous, resident_client = Client(), Client()
    resident_client.force_login(resident)
    assert anonymous.post(LANGUAGE, {"language": "en"})["Location"].startswith("/admin/login/")
    assert resident_client.post(LANGUAGE, {"language": "en"}).status_code in (302, 403)
    assert not UserProfile.objects.filter(user=resident, preferred_language="en").exists()


@pytest.mark.parametrize("page", ["dashboard", "map", "items", "print"])
def test_elder_mode_off_gives_neither_the_class_nor_the_stylesheet(client, city, categories, make_user, page):
    client.force_login(boss(make_user))
    response = client.get(insights_pages()[page])
    assert response.status_code == 200
    body = response.content.decode()
    assert "elder-mode" not in body_classes(body) and ELDER_CSS not in body
    assert "insights-elder.css" not in body


@pytest.mark.parametrize("how", ["profile", "cookie"])
@pytest.mark.parametrize("page", ["dashboard", "map", "items", "print"])
def test_elder_mode_on_gives_the_class_and_the_stylesheet(client, city, categories, make_user, page, how):
    client.force_login(boss(make_user, elder_mode=how == "profile"))
    if how == "cookie":
        client.cookies["elder_mode"] = "1"
    response = client.get(insights_pages()[page])
    assert response.status_code == 200
    body = response.content.decode()
    assert "elder-mode" in body_classes(body)
    assert f'<link rel="stylesheet" href="{ELDER_CSS}">' in body


def test_the_stylesheet_makes_text_tables_filters_and_buttons_larger():
    from django.conf import settings

    css = (settings.BASE_DIR / "themes/static/themes/base/insights-elder.css").read_text()
    for selector in (".elder-mode .content", "table.listing td", ".insights-filters select", ".elder-mode .button"):
        assert selector in css, selector
    assert "min-height: 48px" in css


@pytest.mark.parametrize("page", ["dashboard", "map"])
def test_the_elder_toggle_posts_to_the_preferences_view_and_comes_back(city, categories, make_user, page):
    user = boss(make_user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = insights_pages()[page] + "&category="
    body = client.get(url).content.decode()
    toggle = form_posting_to(body, "/preferences/elder-mode/")
    assert 'method="post" action="/preferences/elder-mode/?on=1"' in toggle
    assert hidden(toggle, "next") == url and "csrfmiddlewaretoken" in toggle
    assert ">长辈模式</button>" in toggle

    # without the token the preferences view refuses a POST
    assert client.post("/preferences/elder-mode/?on=1", {"next": url}).status_code == 403
    response = client.post(
        "/preferences/elder-mode/?on=1",
        {"next": hidden(toggle, "next"), "csrfmiddlewaretoken": hidden(toggle, "csrfmiddlewaretoken")},
    )
    assert response.status_code == 302 and response["Location"] == url  # an admin URL with its query string
    assert response.cookies["elder_mode"].value == "1"
    assert get_user_model().objects.get(pk=user.pk).elder_mode is True

    body = client.get(url).content.decode()
    assert "elder-mode" in body_classes(body) and ELDER_CSS in body
    toggle = form_posting_to(body, "/preferences/elder-mode/")
    assert 'action="/preferences/elder-mode/?on=0"' in toggle and ">标准模式</button>" in toggle
    response = client.post(
        "/preferences/elder-mode/?on=0", {"next": url, "csrfmiddlewaretoken": hidden(toggle, "csrfmiddlewaretoken")}
    )
    assert response["Location"] == url and get_user_model().objects.get(pk=user.pk).elder_mode is False
    body = client.get(url).content.decode()
    assert "elder-mode" not in body_classes(body) and ELDER_CSS not in body
