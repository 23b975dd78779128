"""The city's front door finds "my community" by its name, its street or district, or an address."""

import pytest
from django.test import Client

from communities.regions.models import CommunitySettings


@pytest.fixture
def office_on_renmin_road(city):
    settings = CommunitySettings.for_site(city["b1"].site)
    settings.address = "人民路8号社区服务中心"
    settings.save()
    return city["b1"]


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("社区a1", ["社区a1"]),  # its name
        ("甲街道", ["社区a1"]),  # its street
        ("东区", ["社区a1", "社区b1"]),  # its district
        ("人民路12号", ["社区b1"]),  # an address on the road of its office
        ("幸福大道1号", []),
    ],
)
def test_the_finder_answers_with_matching_communities(city, office_on_renmin_road, q, found):
    response = Client(HTTP_HOST="localhost").get("/find/", {"q": q})
    assert response.status_code == 200
    assert [community.name for community in response.context["found"]] == found
    for community in found:
        assert f"http://{community[2:]}.localhost" in response.content.decode()


@pytest.mark.parametrize("q", ["", " ", "!!", "a", "x" * 51])
def test_bad_input_is_a_form_error(city, q):
    response = Client(HTTP_HOST="localhost").get("/find/", {"q": q})
    assert response.status_code == 400
    assert response.context["finder"].errors["q"]
    assert 'aria-invalid="true"' in response.content.decode()


def test_the_home_offers_the_finder_and_lists_streets_not_communities(city):
    page = Client(HTTP_HOST="localhost").get("/").content.decode()
    assert 'action="/find/"' in page and "甲街道" in page and "社区a1" not in page
