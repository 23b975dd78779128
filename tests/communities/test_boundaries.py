"""Region and community boundaries: GeoJSON validated in the admin (never a 500), and the demo's grid."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from communities.regions.boundaries import clean_boundary, demo_grid, rectangle
from communities.regions.models import Community, Region

SQUARE = rectangle(114.30, 30.58, 114.31, 30.59)


@pytest.fixture(autouse=True)
def in_english():
    """The messages are asserted in English (the site speaks Chinese once the catalogues are compiled)."""
    with translation.override("en"):
        yield


def test_a_polygon_a_multipolygon_and_a_feature_are_accepted():
    assert clean_boundary(SQUARE) == SQUARE
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"], SQUARE["coordinates"]]}
    assert clean_boundary(json.dumps(multi)) == multi
    feature = {"type": "Feature", "properties": {"name": "x"}, "geometry": SQUARE}
    assert clean_boundary(feature) == SQUARE
    assert clean_boundary({"type": "FeatureCollection", "features": [feature]}) == SQUARE
    assert clean_boundary("") is None


@pytest.mark.parametrize(
    "value, message",
    [
        ("{not json", "not valid GeoJSON"),
        ({"type": "Point", "coordinates": [114.3, 30.5]}, "Polygon or MultiPolygon"),
        ([1, 2], "Polygon or MultiPolygon"),
        ({"type": "FeatureCollection", "features": []}, "exactly one feature"),
        (rectangle(30.58, 114.30, 30.59, 114.31), "outside the city"),  # latitude first: a common mistake
        (
            {"type": "Polygon", "coordinates": [[[114.3, 30.5], [114.31, 30.5], [114.31, 30.51], [114.3, 30.5]][:3]]},
            "four",
        ),
        (
            {"type": "Polygon", "coordinates": [[[114.3, 30.5], [114.31, 30.5], [114.31, 30.51], [114.3, 30.52]]]},
            "end where",
        ),
        (
            {"type": "Polygon", "coordinates": [[[114.3, "30.5"], [114.31, 30.5], [114.31, 30.51], [114.3, 30.5]]]},
            "numbers",
        ),
        (
            {"type": "Polygon", "coordinates": [[[114.3, True], [114.31, 30.5], [114.31, 30.51], [114.3, 30.5]]]},
            "numbers",
        ),
        ({"type": "Polygon", "coordinates": []}, "list of rings"),
        ({"type": "MultiPolygon", "coordinates": "x"}, "list of polygons"),
    ],
)
def test_malformed_boundaries_are_named(value, message):
    with pytest.raises(ValidationError, match=message):
        clean_boundary(value)


def test_a_huge_boundary_is_refused(settings):
    settings.PORTAL_BOUNDARY_MAX_BYTES = 2000
    ring = [[114.3 + i * 1e-5, 30.5] for i in range(200)] + [[114.3, 30.51], [114.3, 30.5]]
    with pytest.raises(ValidationError, match="larger than 2 kB"):
        clean_boundary({"type": "Polygon", "coordinates": [ring]})
    with pytest.raises(ValidationError, match="larger than 2 kB"):
        clean_boundary("x" * 3000)


def test_the_demo_grid_nests_children_inside_their_parent():
    tree = {"city": ["d1", "d2"], "d1": ["s1", "s2"], "d2": ["s3"], "s1": ["c1", "c2"], "s3": ["c3"]}
    grid = demo_grid(tree, (114.22, 30.54, 114.38, 30.64))

    def box(node):
        ring = grid[node]["coordinates"][0]
        return ring[0][0], ring[0][1], ring[2][0], ring[2][1]

    for parent, children in tree.items():
        west, south, east, north = box(parent)
        for child in children:
            w, s, e, n = box(child)
            assert west <= w < e <= east and south <= s < n <= north, (parent, child)
    assert box("c1")[2] <= box("c2")[0] or box("c1")[3] <= box("c2")[1]  # siblings do not overlap
    assert all(clean_boundary(g) == g for g in grid.values())


@pytest.fixture
def admin_client_on(host_client, make_user):
    from wagtail.users.models import UserProfile

    boss = make_user("boss", is_staff=True, is_superuser=True)
    UserProfile.get_for_user(boss).__class__.objects.filter(user=boss).update(preferred_language="en")
    return host_client("localhost", boss)


def _post(client, url, **data):
    return client.post(url, {"boundary": "", **data})


def test_the_city_admin_sets_a_region_boundary_by_text_or_file(city, admin_client_on):
    street = Region.objects.get(slug="street-a")
    url = reverse("regions:edit", args=[street.pk])
    assert admin_client_on.get(url).status_code == 200
    response = _post(admin_client_on, url, boundary=json.dumps({"type": "Feature", "geometry": SQUARE}))
    assert response.status_code == 302
    street.refresh_from_db()
    assert street.boundary == SQUARE
    other = rectangle(114.31, 30.58, 114.32, 30.59)
    upload = SimpleUploadedFile("street.geojson", json.dumps(other).encode(), "application/geo+json")
    assert _post(admin_client_on, url, boundary_file=upload).status_code == 302
    street.refresh_from_db()
    assert street.boundary == other


@pytest.mark.parametrize(
    "field, data, message",
    [
        ("boundary", "{oops", "not valid GeoJSON"),
        ("boundary", json.dumps({"type": "Point", "coordinates": [114.3, 30.5]}), "Polygon or MultiPolygon"),
        ("boundary", json.dumps(rectangle(30.58, 114.30, 30.59, 114.31)), "outside the city"),
        ("boundary_file", b"\xff\xfe\x00garbage", "not UTF-8"),
        ("boundary_file", b"[1, 2, 3]", "Polygon or MultiPolygon"),
        ("boundary_file", b" " * 600_000, "larger than 500 kB"),
    ],
)
def test_bad_boundaries_are_form_errors(city, admin_client_on, field, data, message):
    street = Region.objects.get(slug="street-a")
    if field == "boundary_file":
        data = SimpleUploadedFile("b.geojson", data, "application/geo+json")
    response = _post(admin_client_on, reverse("regions:edit", args=[street.pk]), **{field: data})
    assert response.status_code == 200
    assert message in response.content.decode()
    street.refresh_from_db()
    assert street.boundary is None


def test_community_staff_set_their_own_boundary_only(city, host_client, make_user):
    worker = make_user("worker", is_staff=True)
    worker.groups.add(city["a1"].editors_group)
    client = host_client("localhost", worker)
    response = _post(client, reverse("communities:edit", args=[city["a1"].pk]), boundary=json.dumps(SQUARE))
    assert response.status_code == 302
    assert Community.objects.get(pk=city["a1"].pk).boundary == SQUARE
    response = _post(client, reverse("communities:edit", args=[city["b1"].pk]), boundary=json.dumps(SQUARE))
    assert response.status_code == 404
    assert Community.objects.get(pk=city["b1"].pk).boundary is None
    # The community's name, slug and street stay the commands' business.
    assert Community.objects.get(pk=city["a1"].pk).name == city["a1"].name
    # Region boundaries belong to the city's administrators.
    street = Region.objects.get(slug="street-a")
    response = _post(client, reverse("regions:edit", args=[street.pk]), boundary=json.dumps(SQUARE))
    assert response.status_code in (302, 403)  # Wagtail sends a user without the permission to the dashboard
    street.refresh_from_db()
    assert street.boundary is None


def test_a_boundary_pasted_beyond_what_a_form_accepts_is_a_400_that_says_so(city, admin_client_on, settings):
    """Django refuses a form body over DATA_UPLOAD_MAX_MEMORY_SIZE before the form sees it: the page says it was
    too large and that nothing was saved, and the boundary saved before is kept."""
    from django.core.exceptions import RequestDataTooBig
    from django.utils import translation

    from portal.core.errors import reason_for

    street = Region.objects.get(slug="street-a")
    url = reverse("regions:edit", args=[street.pk])
    assert _post(admin_client_on, url, boundary=json.dumps(SQUARE)).status_code == 302
    huge = json.dumps({"type": "Polygon", "coordinates": [[[114.3, 30.5]] * 200_000]})
    assert len(huge) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = _post(admin_client_on, url, boundary=huge)
    assert response.status_code == 400
    with translation.override(response.get("Content-Language", "zh-hans")):
        reason = reason_for(RequestDataTooBig())
    body = response.content.decode()
    assert reason in body and 'role="alert"' in body
    street.refresh_from_db()
    assert street.boundary == SQUARE
