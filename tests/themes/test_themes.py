"""A community's theme, logo-less header and primary colour come from its site settings, live."""

import pytest
from django.core.exceptions import ValidationError

from communities.regions.models import CommunitySettings
from communities.services.models import ServiceDirectoryPage
from themes.colours import contrast_with_white, validate_primary_colour
from themes.loaders import current_theme_name, using_theme
from themes.registry import THEMES, get_theme


def settings_of(community):
    return CommunitySettings.objects.get(site=community.site)


def set_theme(community, theme, **extra):
    settings = settings_of(community)
    settings.theme = theme
    for name, value in extra.items():
        setattr(settings, name, value)
    settings.full_clean()
    settings.save()


def test_registry_ships_base_and_two_other_themes_with_readable_colours():
    assert {"base", "civic", "warm"} <= set(THEMES)
    for theme in THEMES.values():
        assert contrast_with_white(theme.primary) >= 4.5, theme.name
    assert get_theme("no-such-theme").name == "base"
    assert get_theme("civic").stylesheet == "themes/civic/theme.css"
    assert get_theme("base").stylesheet is None


def test_switching_theme_in_settings_changes_the_cached_page_at_once(city, host_client):
    client = host_client("a1.localhost")
    first = client.get("/")
    assert "theme-base" in first.content.decode()
    assert client.get("/")["X-Page-Cache"] == "hit"  # the page is served from the cache now

    set_theme(city["a1"], "warm")
    page = client.get("/")
    html = page.content.decode()
    assert "X-Page-Cache" not in page  # saving the settings purged the site's cache
    assert "/static/themes/warm/theme.css" in html
    assert 'class="welcome"' in html  # the warm theme's own community home template


def test_template_override_applies_only_to_the_site_that_picked_the_theme(city, host_client):
    set_theme(city["a1"], "civic")
    civic = host_client("a1.localhost").get("/").content.decode()
    base = host_client("b1.localhost").get("/").content.decode()
    assert 'class="civic-hotline"' in civic and "/static/themes/civic/theme.css" in civic
    assert 'class="civic-hotline"' not in base and "themes/civic" not in base


def test_theme_dropped_from_the_registry_falls_back_to_base(city, host_client):
    CommunitySettings.objects.filter(site=city["a1"].site).update(theme="retired")
    response = host_client("a1.localhost").get("/")
    assert response.status_code == 200
    assert "theme-base" in response.content.decode()


def test_unknown_theme_is_rejected_by_the_settings_form(city):
    with pytest.raises(ValidationError) as error:
        set_theme(city["a1"], "../../etc")
    assert "theme" in error.value.message_dict


@pytest.mark.parametrize("colour", ["0b4f8a", "#0b4f8", "#0b4f8g", "blue"])
def test_primary_colour_must_be_hex(colour):
    with pytest.raises(ValidationError) as error:
        validate_primary_colour(colour)
    assert error.value.code == "invalid_colour"


def test_primary_colour_too_light_for_white_text_is_rejected_with_its_contrast():
    with pytest.raises(ValidationError) as error:
        validate_primary_colour("#ffcc00")
    assert error.value.code == "low_contrast"
    assert "1.5:1" in str(error.value.messages[0])


def test_primary_colour_overrides_the_theme_colour(city, host_client):
    set_theme(city["a1"], "civic", primary_colour="#1d5c2e")
    html = host_client("a1.localhost").get("/").content.decode()
    assert ":root { --primary: #1d5c2e; }" in html


def test_navigation_shows_only_live_in_menu_sections_and_picks_up_new_ones(city, host_client):
    home = city["a1"].root_page.specific
    services = home.get_children().type(ServiceDirectoryPage).first()
    services.unpublish()
    html = host_client("a1.localhost").get("/").content.decode()
    nav = html.split('class="site-nav"')[1].split("</nav>")[0]
    assert 'href="/notices/"' in nav
    assert 'href="/services/"' not in nav

    section = ServiceDirectoryPage(title="志愿服务", slug="volunteers", show_in_menus=True, live=False)
    home.add_child(instance=section)
    section.save_revision().publish()  # as an editor publishes: the site's cached pages are purged
    nav = host_client("a1.localhost").get("/").content.decode().split('class="site-nav"')[1].split("</nav>")[0]
    assert 'href="/volunteers/"' in nav and "志愿服务" in nav


def test_section_of_the_current_page_is_marked_in_the_navigation(city, host_client):
    html = host_client("a1.localhost").get("/notices/").content.decode()
    assert '<a href="/notices/" aria-current="page">' in html
    assert '<a href="/news/" aria-current="page">' not in html


def test_theme_context_variable_is_scoped_to_the_block():
    assert current_theme_name() == "base"
    with using_theme(lambda: "warm"):
        assert current_theme_name() == "warm"
        with using_theme("civic"):
            assert current_theme_name() == "civic"
        assert current_theme_name() == "warm"
    assert current_theme_name() == "base"
    with using_theme("../secrets"):
        assert current_theme_name() == "base"  # never a path outside the registry


def test_settings_admin_rejects_a_low_contrast_colour_and_keeps_what_was_saved(city, make_user, host_client):
    admin = make_user("boss", is_staff=True, is_superuser=True)
    client = host_client("localhost", user=admin)
    site_id = city["a1"].site_id
    url = f"/admin/settings/regions/communitysettings/{site_id}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"display_name": "社区a1", "theme": "warm", "primary_colour": "#ffee00"})
    assert response.status_code == 200
    assert "4.5:1" in response.content.decode()
    assert settings_of(city["a1"]).theme == "base"

    response = client.post(url, {"display_name": "社区a1", "theme": "warm", "primary_colour": "#6b2d0e"})
    assert response.status_code == 302
    saved = settings_of(city["a1"])
    assert (saved.theme, saved.primary_colour) == ("warm", "#6b2d0e")


def test_tag_listing_accepts_chinese_tag_slugs(city, host_client):
    from communities.notices.models import NoticePage

    notices = city["a1"].root_page.get_children().get(slug="notices")
    notice = NoticePage(title="重阳节敬老活动通知", slug="elders", body="<p>敬老。</p>", live=False)
    notices.add_child(instance=notice)
    notice.tags.add("老年人")
    notice.save_revision().publish()
    index = host_client("a1.localhost").get("/tags/").content.decode()
    assert 'href="老年人/"' in index
    listing = host_client("a1.localhost").get("/tags/老年人/")
    assert listing.status_code == 200 and "重阳节敬老活动通知" in listing.content.decode()


def test_a_page_served_from_the_cache_does_not_read_the_theme(city, host_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    set_theme(city["a1"], "warm")
    client = host_client("a1.localhost")
    client.get("/news/")
    with CaptureQueriesContext(connection) as queries:
        hit = client.get("/news/")
    assert hit["X-Page-Cache"] == "hit" and "theme-warm" in hit.content.decode()
    assert not [q for q in queries.captured_queries if "communitysettings" in q["sql"]]


def test_pages_without_an_override_render_from_the_base_templates_in_every_theme(city, host_client):
    for theme in THEMES:
        set_theme(city["a1"], theme)
        response = host_client("a1.localhost").get("/notices/")
        assert response.status_code == 200
        assert f"theme-{theme}" in response.content.decode()
