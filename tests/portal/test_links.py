"""Links between the portal's sites follow the scheme and port the portal is served on (issue 19):
the city's finder of communities, notifications, the admin's "view live", the seed step's Sites."""

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from wagtail.models import Site

from communities.pages.models import CommunityHomePage
from communities.regions.provisioning import follow_site_port
from participation.forums.models import absolute_url
from portal.core import links
from portal.notifications.services import notify


@pytest.mark.parametrize(
    "scheme, port, expected",
    [
        ("http", 8171, "http://a1.localhost:8171/forum/"),
        ("http", 80, "http://a1.localhost/forum/"),
        ("https", 443, "https://a1.localhost/forum/"),
        ("https", 8443, "https://a1.localhost:8443/forum/"),
    ],
)
def test_outside_a_request_links_carry_the_configured_scheme_and_port(settings, city, scheme, port, expected):
    settings.PORTAL_SITE_SCHEME, settings.PORTAL_SITE_PORT = scheme, port
    assert links.site_url(city["a1"].site, "/forum/") == expected
    assert links.site_url(city["a1"], "forum/") == expected
    # what notifications of the forum (and so every part using the one function) link to
    assert absolute_url(city["a1"], "/forum/") == expected


@pytest.mark.parametrize(
    "host, secure, expected",
    [
        ("localhost:8172", False, "http://a1.localhost:8172/"),
        ("b1.localhost:8173", False, "http://a1.localhost:8173/"),
        ("localhost", True, "https://a1.localhost/"),
        ("localhost:8443", True, "https://a1.localhost:8443/"),
    ],
)
def test_inside_a_request_links_follow_the_request(settings, city, host, secure, expected):
    settings.PORTAL_SITE_PORT = 8000  # what the Sites were seeded with: the request wins
    request = RequestFactory().get("/", HTTP_HOST=host, secure=secure)
    assert links.site_url(city["a1"].site, "/", request) == expected


def test_a_request_to_another_host_does_not_lend_its_port(settings, city):
    settings.PORTAL_SITE_PORT = 8174
    request = RequestFactory().get("/", HTTP_HOST="proxy.example.org:9999")
    assert links.site_url(city["a1"].site, "/", request) == "http://a1.localhost:8174/"


@pytest.mark.parametrize(
    "stored, expected",
    [
        ("http://a1.localhost:8000/forum/t/1/?page=2#p3", "http://a1.localhost:8175/forum/t/1/?page=2#p3"),
        ("http://localhost/complaints/", "http://localhost:8175/complaints/"),
        ("/forum/t/1/", "/forum/t/1/"),
        ("https://www.gov.cn/", "https://www.gov.cn/"),
        ("", ""),
    ],
)
def test_stored_links_follow_the_current_port(stored, expected):
    request = RequestFactory().get("/", HTTP_HOST="a1.localhost:8175")
    assert links.follow(stored, request) == expected


def test_city_home_links_to_communities_on_the_port_it_is_served_on(city, host_client):
    # The front door finds communities (issue 20): its finder answers with links on the served port.
    client = host_client("localhost:8176")
    assert 'action="/find/"' in client.get("/").content.decode()
    html = client.get("/find/", {"q": "东区"}).content.decode()
    for slug in ("a1", "b1"):
        assert f'href="http://{slug}.localhost:8176/"' in html, slug
        assert f"{slug}.localhost/" not in html and f"{slug}.localhost:80" not in html, slug


def test_street_and_district_pages_link_on_the_served_port(city, host_client):
    client = host_client("localhost:8177")
    for path in ("/east/", "/east/street-a/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'href="http://a1.localhost:8177/"' in response.content.decode(), path


def test_a_notification_recorded_on_another_port_links_to_the_current_one(city, host_client, make_user):
    user = make_user("wang")
    notify(user, "forum.reply", "有人回复了你", url="http://a1.localhost:8000/forum/t/1/", key="k")
    html = host_client("a1.localhost:8178", user).get("/notifications/").content.decode()
    assert 'href="http://a1.localhost:8178/forum/t/1/"' in html and ":8000" not in html


def test_follow_site_port_moves_every_site_and_wagtail_links_follow(city, make_user, host_client):
    assert follow_site_port(8179) == Site.objects.count()
    assert set(Site.objects.values_list("port", flat=True)) == {8179}
    assert follow_site_port(8179) == 0
    home = CommunityHomePage.objects.get(pk=city["a1"].root_page_id)
    assert home.full_url == "http://a1.localhost:8179/"
    # the admin's "view live" of a community page, seen from the city's admin host
    admin = make_user("boss", is_staff=True, is_superuser=True)
    html = host_client("localhost:8179", admin).get(f"/admin/pages/{home.pk}/edit/").content.decode()
    assert "http://a1.localhost:8179/" in html and "a1.localhost:8000" not in html


def test_follow_site_port_command(city, capsys):
    call_command("follow_site_port", "--port", "8170")
    assert "moved to port 8170" in capsys.readouterr().out
    assert set(Site.objects.values_list("port", flat=True)) == {8170}
    with pytest.raises(CommandError, match="70000"):  # the message is in the site language
        call_command("follow_site_port", "--port", "70000")


def test_make_run_gives_the_seed_step_and_worker_the_port():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "PORTAL_SITE_PORT=$(PORT) $(PY) manage.py seed_demo" in makefile
    assert "PORTAL_SITE_PORT=$(PORT) $(PY) manage.py follow_site_port" in makefile
    assert makefile.count("PORTAL_SITE_PORT=$(PORT) $(PY) manage.py db_worker") == 2
