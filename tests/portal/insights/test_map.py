"""The map page (电子地图) through the real admin: scoped areas shaded by a figure, points with no personal
data, the same figures in a table, bad input as a 400."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from communities.regions.boundaries import demo_grid
from communities.regions.models import Community, Region
from participation.complaints.models import Complaint
from portal.insights import rollup

from .conftest import generate_complaints

pytestmark = pytest.mark.django_db
URL = "/admin/insights/map/"


@pytest.fixture
def mapped(city, categories):
    """The test city with generated boundaries, populations, and complaints (every third one pinned)."""
    tree = {("region", r.pk): [] for r in Region.objects.all()}
    for r in Region.objects.exclude(parent=None):
        tree[("region", r.parent_id)].append(("region", r.pk))
    for c in Community.objects.all():
        tree[("region", c.street_id)].append(("community", c.pk))
    root = ("region", Region.objects.get(kind="city").pk)
    grid = demo_grid({root: tree.pop(root), **tree}, (114.22, 30.54, 114.38, 30.64))
    for (kind, pk), geometry in grid.items():
        (Region if kind == "region" else Community).objects.filter(pk=pk).update(boundary=geometry)
    Community.objects.update(population=2000)
    made = generate_complaints(list(city.values()), categories, days=4, count=30, seed=5)
    for i, complaint in enumerate(made):
        if i % 3 == 0:
            ring = grid[("community", complaint.community_id)]["coordinates"][0]
            complaint.longitude = Decimal(f"{(ring[0][0] + ring[2][0]) / 2:.6f}")
            complaint.latitude = Decimal(f"{(ring[0][1] + ring[2][1]) / 2:.6f}")
            complaint.save(update_fields=["latitude", "longitude"])
    return made


def period(days=5):
    today = rollup.today()
    return {"start": (today - timedelta(days=days)).isoformat(), "end": today.isoformat()}


def map_data(response):
    found = re.search(
        r'<script id="insights-map-data" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(found.group(1))


def test_the_city_sees_every_community_shaded_and_every_pinned_complaint(client, city, mapped, make_user):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    response = client.get(URL, {**period(), "level": "community"})
    assert response.status_code == 200
    data = map_data(response)
    names = {f["properties"]["name"] for f in data["areas"]["features"]}
    assert names == {c.name for c in city.values()}
    pinned = [c for c in mapped if c.latitude is not None]
    complaints = next(layer for layer in data["layers"] if layer["key"] == "complaints")
    assert len(complaints["points"]) == len(pinned)
    # Complaints per 1,000 residents (the first shading), in the table as on the map, with its parts.
    assert response.context["form"].cleaned_data["shading"] == "complaints.per_1000"
    rows = {row[0]: row for row in response.context["built"]["rows"]}
    for community in city.values():
        new = Complaint.objects.filter(community=community).count()
        assert rows[community.name][1:] == [round(1000 * new / 2000, 1), new, 2000]
        feature = next(f for f in data["areas"]["features"] if f["properties"]["name"] == community.name)
        assert feature["properties"]["value"] == rows[community.name][1]
    # Points say what and when, never who or where someone lives.
    body = response.content.decode()
    assert "某路1号" not in body and "问题" not in body
    assert data["tiles"]["url"] == ""


def test_streets_and_districts_and_the_overdue_share(client, city, mapped, make_user):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    response = client.get(URL, {**period(), "level": "street", "shading": "complaints.overdue_share"})
    assert response.status_code == 200
    names = {f["properties"]["name"] for f in map_data(response)["areas"]["features"]}
    assert names == set(Region.objects.filter(kind="street").values_list("name", flat=True))
    response = client.get(URL, {**period(), "level": "district"})
    assert {r[0] for r in response.context["built"]["rows"]} == {"东区", "西区"}


def test_a_street_sees_its_communities_only(client, city, mapped, make_user):
    user = make_user("street-a", is_staff=True)
    user.groups.add(city["a1"].street.editors_group)
    client.force_login(user)
    response = client.get(URL, period())
    assert response.status_code == 200
    data = map_data(response)
    assert {f["properties"]["name"] for f in data["areas"]["features"]} == {city["a1"].name}
    own = [c for c in mapped if c.latitude is not None and c.community_id == city["a1"].pk]
    assert len(data["layers"][0]["points"]) == len(own)
    other = Region.objects.get(slug="street-b")
    response = client.get(URL, {**period(), "area": f"street:{other.pk}"})
    assert response.status_code == 400


def test_the_first_map_shows_the_largest_areas_of_which_there_are_several(client, city, mapped, make_user):
    """The city's staff first see its districts, a district its streets, a street its communities (the first
    map of a city of 700 communities drew and tabulated all 700)."""
    boss = make_user("boss", is_staff=True, is_superuser=True)
    street_editor = make_user("street-a", is_staff=True)
    street_editor.groups.add(city["a1"].street.editors_group)
    east = Region.objects.get(kind="district", name="东区")
    cases = [
        (boss, {}, "district", set(Region.objects.filter(kind="district").values_list("name", flat=True))),
        (boss, {"area": f"district:{east.pk}"}, "street", set(east.children.values_list("name", flat=True))),
        (street_editor, {}, "community", {city["a1"].name}),
    ]
    for user, params, level, names in cases:
        client.force_login(user)
        response = client.get(URL, {**period(), **params})
        assert response.status_code == 200
        assert response.context["form"].cleaned_data["level"] == level
        assert f'value="{level}" selected' in response.content.decode()
        assert {row[0] for row in response.context["built"]["rows"]} == names


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-05-02", "end": "2026-05-01"},
        {"shading": "nonsense"},
        {"level": "planet"},
        {"area": "street:999999"},
        {"start": "not a date"},
    ],
)
def test_bad_input_is_a_400_not_a_500(client, city, make_user, params):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    response = client.get(URL, params)
    assert response.status_code == 400


def test_residents_and_unscoped_staff_are_refused(client, city, make_user):
    client.force_login(make_user("nobody", is_staff=True))
    assert client.get(URL).status_code in (302, 403)


def test_the_tile_url_comes_from_the_settings(client, city, mapped, make_user, settings):
    settings.PORTAL_MAP_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    assert map_data(client.get(URL, period()))["tiles"]["url"] == settings.PORTAL_MAP_TILE_URL


def _service(community, title, **fields):
    from communities.services.models import ServiceDirectoryPage, ServicePage

    directory = ServiceDirectoryPage.objects.child_of(community.root_page).get()
    page = directory.add_child(instance=ServicePage(title=title, slug=f"s-{community.slug}-{len(title)}", **fields))
    page.save_revision().publish()
    return page


def test_services_and_organisations_are_markers_scoped_like_everything_else(client, city, mapped, make_user):
    from tests.organisations.conftest import make_organisation

    a1, b1 = city["a1"], city["b1"]
    _service(a1, "长者食堂", kind="public_benefit", latitude=Decimal("30.60"), longitude=Decimal("114.25"))
    _service(b1, "开具居住证明", latitude=Decimal("30.61"), longitude=Decimal("114.30"))
    _service(b1, "不在地图上的服务")  # no place: not on the map
    make_organisation(a1, 1, latitude=Decimal("30.59"), longitude=Decimal("114.26"), address="某路2号")
    make_organisation(b1, 2, title="草稿组织", publish=False, latitude=Decimal("30.6"), longitude=Decimal("114.3"))

    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    layers = {layer["key"]: layer for layer in map_data(client.get(URL, period()))["layers"]}
    assert list(layers) == ["complaints", "services", "organisations"]  # each its own toggle, in this order
    services = {p[2].split(" · ")[0]: p[:2] for p in layers["services"]["points"]}
    assert services == {"长者食堂": [30.6, 114.25], "开具居住证明": [30.61, 114.3]}
    assert [p[:2] for p in layers["organisations"]["points"]] == [[30.59, 114.26]]  # the draft is not shown
    assert "某路2号" not in str(layers)  # a place, not an address

    street = make_user("street-a", is_staff=True)
    street.groups.add(a1.street.editors_group)
    client.force_login(street)
    response = client.get(URL, period())
    layers = {layer["key"]: layer for layer in map_data(response)["layers"]}
    assert [p[2].split(" · ")[0] for p in layers["services"]["points"]] == ["长者食堂"]  # not b1's
    assert len(layers["organisations"]["points"]) == 1
    a1_points = len([c for c in mapped if c.latitude is not None and c.community_id == a1.pk])
    assert sum(len(layer["points"]) for layer in layers.values()) == a1_points + 2
    assert str(a1_points + 2) in response.context["summary"]  # the summary counts every layer's points


def _csv_rows(response):
    import csv
    import io

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # the BOM, for Excel
    return list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:])))


def test_the_table_by_region_exports_to_csv_scoped_like_the_map(client, city, mapped, make_user):
    user = make_user("street-a", is_staff=True)
    user.groups.add(city["a1"].street.editors_group)
    client.force_login(user)
    page = client.get(URL, period())
    assert 'export=csv" download' in page.content.decode().replace("&amp;", "&")
    rows = _csv_rows(client.get(URL, {**period(), "export": "csv"}))
    assert rows[0] == page.context["built"]["columns"]
    assert rows[1:] == [["" if v is None else str(v) for v in row] for row in page.context["built"]["rows"]]
    assert [row[0] for row in rows[1:]] == [city["a1"].name]  # only the street's communities
    new = Complaint.objects.filter(community=city["a1"]).count()
    assert rows[1][2] == str(new)
    # Asking for the whole city's streets still gives only what the map would show them.
    rows = _csv_rows(client.get(URL, {**period(), "export": "csv", "level": "street"}))
    assert [row[0] for row in rows[1:]] == [city["a1"].street.name]

    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    params = {**period(), "export": "csv", "level": "street", "shading": "complaints.overdue_share"}
    response = client.get(URL, params)
    assert 'filename="insights-map-street-complaints-overdue_share-' in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert {row[0] for row in rows[1:]} == set(Region.objects.filter(kind="street").values_list("name", flat=True))
    assert rows[1:] == [
        ["" if v is None else str(v) for v in row]
        for row in client.get(URL, {k: v for k, v in params.items() if k != "export"}).context["built"]["rows"]
    ]


@pytest.mark.parametrize(
    "params, reason",
    [
        ({"export": "pdf"}, "Unknown export format"),
        ({"export": "csv", "shading": "nonsense"}, "Shade the areas by"),
        ({"export": "csv", "level": "planet"}, "Areas"),
        ({"export": "csv", "start": "2026-05-02", "end": "2026-05-01"}, "The end date is before the start date"),
        ({"export": "csv", "area": "street:OTHER"}, "Area"),
    ],
)
def test_bad_export_parameters_are_a_400_with_the_reason(client, city, make_user, params, reason):
    from wagtail.users.models import UserProfile

    user = make_user("street-a", is_staff=True)
    user.groups.add(city["a1"].street.editors_group)
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "en"})
    client.force_login(user)
    if params.get("area") == "street:OTHER":
        params = {**params, "area": f"street:{Region.objects.get(slug='street-b').pk}"}  # outside their scope
    response = client.get(URL, {**period(), **params})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert reason in response.content.decode()
    assert city["b1"].name not in response.content.decode()
