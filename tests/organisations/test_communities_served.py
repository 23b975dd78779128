"""An organisation's "communities served" offers and accepts only the communities the editor acts for,
and keeps the ones the editor cannot see (issue 12: a community's editor published onto other sites)."""

import re

import pytest
from django.urls import reverse

from communities.regions.models import Community

from .conftest import organisation_form_data


@pytest.fixture
def editor_a1(city, make_user):
    user = make_user("editor_a1", is_staff=True)
    user.groups.add(city["a1"].editors_group)
    return user


def edit(client, page, communities):
    slugs = Community.objects.filter(pk__in=communities).values_list("slug", flat=True)
    data = organisation_form_data(page) | {"communities": " ".join(slugs)}  # a text box of slugs
    return client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)


def served(page):
    page.refresh_from_db()  # the latest revision is a cached foreign key
    return {community.slug for community in page.get_latest_revision_as_object().communities.all()}


def test_only_the_editors_communities_are_offered(city, org_a, editor_a1, host_client):
    client = host_client("localhost", editor_a1)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[org_a.pk]))
    assert response.status_code == 200
    offered = response.context["form"].fields["communities"].queryset
    assert list(offered) == [city["a1"]]
    text_box = re.search(r'<input[^>]*name="communities"[^>]*>', response.content.decode()).group(0)
    assert city["b1"].slug not in text_box


def test_another_community_is_refused(city, org_a, editor_a1, host_client):
    client = host_client("localhost", editor_a1)
    response = edit(client, org_a, [city["a1"].pk, city["b1"].pk])
    assert response.status_code == 200  # the form again, with the error
    assert "communities" in response.context["form"].errors
    assert "b1" not in served(org_a)


def test_own_community_is_accepted_and_links_the_editor_cannot_see_are_kept(city, org_a, editor_a1, host_client):
    org_a.communities.add(city["b1"])
    org_a.save_revision().publish()
    client = host_client("localhost", editor_a1)
    # The text box of slugs shows (and sends back) only the editor's communities.
    form = client.get(reverse("wagtailadmin_pages:edit", args=[org_a.pk])).content.decode()
    assert city["b1"].slug not in re.search(r'<input[^>]*name="communities"[^>]*>', form).group(0)
    response = edit(client, org_a, [city["a1"].pk])
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert served(org_a) == {"a1", "b1"}
