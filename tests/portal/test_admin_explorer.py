"""The page explorer at city scale: a site filter of the user's own sites (a search beyond a few), and
"Add child page" decided from one count per listing instead of one per section type per row."""

import re

import pytest
from django.test import Client

from communities.pages.models import CommunityHomePage
from communities.regions.models import Region
from portal.core import admin_explorer
from portal.core.child_counts import remember_child_counts


def site_checkboxes(html):
    return set(re.findall(r'name="site" value="(\d+)"', html))


def explorer(user, url):
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_site_filter_offers_the_users_own_sites_and_a_search_beyond_a_few(city, make_user, monkeypatch):
    from wagtail.models import Site

    superuser = make_user(is_superuser=True, is_staff=True)
    street_editor = make_user(is_staff=True)
    street_editor.groups.add(Region.objects.get(slug="street-a").editors_group)
    street_page = Region.objects.get(slug="street-a").page_id
    assert site_checkboxes(explorer(street_editor, f"/admin/pages/{street_page}/")) == {str(city["a1"].site_id)}
    every_site = {str(pk) for pk in Site.objects.values_list("pk", flat=True)}
    assert site_checkboxes(explorer(superuser, "/admin/pages/")) == every_site

    monkeypatch.setattr(admin_explorer, "CHECKBOX_LIMIT", 2)
    html = explorer(superuser, "/admin/pages/")
    assert not site_checkboxes(html) and 'name="site" placeholder=' in html
    found = explorer(superuser, "/admin/pages/?site=a1.local")  # a1's host name, a1.localhost
    assert city["a1"].name in found and city["b1"].name not in found
    assert city["b1"].name in explorer(superuser, "/admin/pages/?site=b1")
    # Only the user's sites are searched: a street editor searching another street's site finds nothing.
    monkeypatch.setattr(admin_explorer, "CHECKBOX_LIMIT", 0)
    assert city["b1"].name not in explorer(street_editor, f"/admin/pages/{street_page}/?site=b1")


@pytest.mark.parametrize("with_sections", [True, False])
def test_counts_kept_by_the_listing_give_wagtails_answer(city, with_sections):
    home = CommunityHomePage.objects.get(pk=city["a1"].root_page_id)
    if not with_sections:
        for child in home.get_children().specific():
            if type(child).max_count_per_parent:
                child.delete()
        home.refresh_from_db()
    listed = CommunityHomePage.objects.get(pk=home.pk)
    remember_child_counts([listed])
    for model in CommunityHomePage.creatable_subpage_models():
        assert model.can_create_at(listed) == model.can_create_at(home), model


def test_kept_counts_are_each_listed_pages_children_by_type(city):
    """Several rows at two depths (a street's communities and their homes' sections): each row's counts are
    exactly its own children's, whatever its neighbours in the listing."""
    from collections import Counter

    from wagtail.models import Page

    from portal.core.child_counts import ATTRIBUTE

    homes = list(Page.objects.filter(pk__in=[c.root_page_id for c in city.values()]))
    sections = list(homes[0].get_children()) + list(homes[-1].get_children())
    listed = homes + sections
    remember_child_counts(listed)
    for page in listed:
        expected = Counter(page.get_children().values_list("content_type_id", flat=True))
        assert getattr(page, ATTRIBUTE) == dict(expected), page


def test_pages_are_indexed_by_depth_and_path(db):
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "wagtailcore_page")
    assert ["depth", "path"] in [c["columns"] for c in constraints.values() if c["index"]]
