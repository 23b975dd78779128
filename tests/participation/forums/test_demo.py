"""The demo city has a forum on every community site, and the README's demo resident can post in 翠园's;
湖滨 limits posting to verified residents, so there the resident is told how to join."""

import pytest
from django.contrib.auth import get_user_model

from communities.regions.demo import COMMUNITIES, create_demo_accounts
from communities.regions.models import Community
from participation.forums.models import ForumCategory, Thread
from tests.conftest import seed_demo_city_once

# The demo city is recorded once per worker: its tests share one (tests/conftest.py, seed_demo_city_once).
pytestmark = pytest.mark.xdist_group("demo-city")


def test_every_demo_community_has_categories_with_threads(db):
    assert seed_demo_city_once()
    for _name, slug, _street in COMMUNITIES:
        community = Community.objects.get(slug=slug)
        categories = ForumCategory.objects.filter(community=community)
        assert categories.count() >= 2, slug
        assert all(Thread.objects.filter(category=c).exists() for c in categories), slug


def test_the_demo_resident_posts_in_cuiyuan_and_is_told_how_to_join_hubin(db, host_client):
    assert seed_demo_city_once()
    create_demo_accounts()
    resident = get_user_model().objects.get(username="resident")
    category = ForumCategory.objects.get(community__slug="cuiyuan", slug="neighbours")
    client = host_client("cuiyuan.localhost", resident)
    assert client.get("/forum/new/").status_code == 200
    response = client.post(
        "/forum/new/", {"category": category.pk, "title": "东门快递柜坏了", "body": "谁知道找谁修？"}
    )
    assert response.status_code == 302 and Thread.objects.filter(title="东门快递柜坏了").exists()

    hubin = host_client("hubin.localhost", resident)
    refused = hubin.get("/forum/new/", HTTP_ACCEPT_LANGUAGE="en")
    text = refused.content.decode()
    assert refused.status_code == 403 and "Only verified residents of 湖滨社区 may post in the forum" in text
    assert 'href="/accounts/join/"' in text
    thread = Thread.objects.filter(community__slug="hubin").first()
    page = hubin.get(f"/forum/t/{thread.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Only verified residents of 湖滨社区 may post in the forum" in page  # said before writing a reply
    assert f'action="/forum/t/{thread.pk}/reply/"' not in page
