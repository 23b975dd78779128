"""An organisation's (and a service's) place on the map, set in the admin: optional, both numbers or neither,
inside the city; bad input is a form error, never a 500."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from communities.services.models import ServiceDirectoryPage, ServicePage

from .conftest import make_organisation, organisation_form_data


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        ("39.9", "116.4", "point_outside_city"),  # Beijing, not the city's box
        ("30.6", "", "point_incomplete"),
        ("abc", "114.3", "invalid"),  # the field's own error, and no second one
    ],
)
def test_a_bad_place_is_a_form_error(admin_client, city, latitude, longitude, message):
    org = make_organisation(city["a1"])
    data = organisation_form_data(org, latitude=latitude, longitude=longitude, change_note="地图位置")
    response = admin_client.post(reverse("wagtailadmin_pages:edit", args=[org.pk]), data)
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["latitude"]] == [message]
    org.refresh_from_db()
    assert org.get_latest_revision_as_object().latitude is None and org.latitude is None


def test_a_place_inside_the_city_is_saved(admin_client, city):
    org = make_organisation(city["a1"])
    data = organisation_form_data(org, latitude="30.5928", longitude="114.3055", change_note="地图位置")
    response = admin_client.post(reverse("wagtailadmin_pages:edit", args=[org.pk]), data)
    assert response.status_code == 302
    org.refresh_from_db()  # the latest revision is a cached foreign key
    saved = org.get_latest_revision_as_object()
    assert (saved.latitude, saved.longitude) == (Decimal("30.592800"), Decimal("114.305500"))


def test_a_service_is_checked_the_same_way(city):
    directory = ServiceDirectoryPage.objects.child_of(city["a1"].root_page).get()
    service = ServicePage(title="长者食堂", slug="canteen", latitude=Decimal("31.22"), longitude=Decimal("121.45"))
    directory.add_child(instance=ServicePage(title="理发", slug="haircut"))
    with pytest.raises(ValidationError) as refused:
        directory.add_child(instance=service)
    assert [e.code for e in refused.value.error_dict["latitude"]] == ["point_outside_city"]
    assert not ServicePage.objects.filter(slug="canteen").exists()


def test_the_editor_shows_the_complaint_forms_pin_map_on_the_communitys_boundary(admin_client, city):
    import json
    import re

    from communities.regions.boundaries import rectangle
    from communities.regions.models import Community

    box = rectangle(114.30, 30.58, 114.32, 30.60)
    Community.objects.filter(pk=city["a1"].pk).update(boundary=box)
    org = make_organisation(city["a1"])
    page = admin_client.get(reverse("wagtailadmin_pages:edit", args=[org.pk])).content.decode()
    data = json.loads(re.search(r'id="complaint-map-data" type="application/json">(.*?)</script>', page, re.S)[1])
    assert data["boundary"] == box
    assert "vendor/leaflet/leaflet.js" in page and "themes/base/complaint-map.js" in page
    assert 'id="id_latitude"' in page and 'id="id_longitude"' in page  # the fields work without the map
