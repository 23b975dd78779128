"""The complaint form's map is an enhancement: it draws the community's boundary, and the typed address and
coordinate fields keep working without it."""

import json
import re

from communities.regions.boundaries import rectangle
from communities.regions.models import Community
from participation.complaints.models import Complaint

from .test_pages import form_data

BOX = rectangle(114.30, 30.58, 114.31, 30.59)


def test_the_form_carries_the_boundary_and_keeps_its_fields(host_client, make_user, city, categories, settings):
    settings.PORTAL_MAP_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    Community.objects.filter(pk=city["a1"].pk).update(boundary=BOX)
    client = host_client("a1.localhost", make_user())
    page = client.get("/complaints/new/")
    assert page.status_code == 200
    found = re.search(r'<script id="complaint-map-data" type="application/json">(.*?)</script>', page.text, re.S)
    data = json.loads(found.group(1))
    assert data["boundary"] == BOX and data["tiles"]["url"] == settings.PORTAL_MAP_TILE_URL
    assert "vendor/leaflet/leaflet.js" in page.text and "complaint-map.js" in page.text
    # Without JavaScript the map block stays hidden and the fields are there as before.
    assert '<div class="complaint-map-block" hidden>' in page.text
    assert 'name="address"' in page.text and 'name="latitude"' in page.text and 'name="longitude"' in page.text


def test_a_pinned_point_and_an_address_alone_are_both_taken(host_client, make_user, city, categories):
    client = host_client("a1.localhost", make_user())
    assert client.post("/complaints/new/", form_data(categories)).status_code == 302
    pinned = form_data(categories, latitude="30.585", longitude="114.305")
    assert client.post("/complaints/new/", pinned).status_code == 302
    assert sorted((str(c.latitude), str(c.longitude)) for c in Complaint.objects.all()) == [
        ("30.585000", "114.305000"),
        ("None", "None"),
    ]
