"""Staff see, in the admin's community listing, only the communities they act for."""

import pytest

from communities.regions.scoping import communities_for


@pytest.fixture
def editor_of_a1(city, make_user):
    user = make_user(is_staff=True)
    user.groups.add(city["a1"].editors_group)
    return user


def test_scoping_function_follows_groups(city, make_user, editor_of_a1):
    assert list(communities_for(editor_of_a1)) == [city["a1"]]
    street_editor = make_user(is_staff=True)
    street_editor.groups.add(city["a1"].street.editors_group)
    assert set(communities_for(street_editor)) == {city["a1"]}
    district_editor = make_user(is_staff=True)
    district_editor.groups.add(city["a1"].street.parent.editors_group)
    assert set(communities_for(district_editor)) == {city["a1"], city["b1"]}
    assert not communities_for(make_user()).exists()


def test_admin_listing_shows_only_own_communities(city, host_client, editor_of_a1):
    client = host_client("localhost", editor_of_a1)
    listing = client.get("/admin/communities/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "社区a1" in body
    assert "社区b1" not in body and "社区c1" not in body


def test_admin_inspect_of_another_community_is_refused(city, host_client, editor_of_a1):
    client = host_client("localhost", editor_of_a1)
    own = client.get(f"/admin/communities/inspect/{city['a1'].pk}/")
    assert own.status_code == 200
    other = client.get(f"/admin/communities/inspect/{city['b1'].pk}/")
    assert other.status_code == 404  # the one admin scoping mixin: foreign objects do not exist
    assert "社区b1" not in other.content.decode()


def test_communities_cannot_be_created_or_renamed_in_the_admin(city, host_client, editor_of_a1):
    """Staff edit a community's population only (decision support); its name and places are provisioned."""
    client = host_client("localhost", editor_of_a1)
    assert client.get("/admin/communities/new/").status_code in (302, 403)
    response = client.post(f"/admin/communities/edit/{city['a1'].pk}/", {"name": "改名"})
    assert response.status_code in (302, 403)
    city["a1"].refresh_from_db()
    assert city["a1"].name == "社区a1"


def test_editor_edits_own_site_settings_only(city, host_client, editor_of_a1):
    from communities.regions.models import CommunitySettings

    client = host_client("localhost", editor_of_a1)
    own_site, other_site = city["a1"].site, city["b1"].site
    url = "/admin/settings/regions/communitysettings/{}/"
    assert client.get(url.format(own_site.pk)).status_code == 200
    response = client.post(url.format(own_site.pk), {"display_name": "新名字", "theme": "base"})
    assert response.status_code == 302
    assert CommunitySettings.for_site(own_site).display_name == "新名字"

    refused = client.post(url.format(other_site.pk), {"display_name": "被改了", "theme": "base"})
    assert refused.status_code in (302, 403)
    assert CommunitySettings.for_site(other_site).display_name == "社区b1"
