"""One boundary per community: the old ComplaintSettings.boundary is copied into the region boundary
(Community.boundary) by a data migration, where the community has none, before the old field goes."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from communities.regions.boundaries import clean_boundary, contains

copy = importlib.import_module("participation.complaints.migrations.0008_copy_complaint_boundaries_to_communities")
REGIONS = ("regions", "0006_boundaries")  # the region boundaries (not a dependency of complaints 0007)
BEFORE = [("complaints", "0007_merge_api_keys_and_wechat_words"), REGIONS]
AFTER = [("complaints", "0009_remove_complaintsettings_boundary"), REGIONS]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_boundaries_are_copied_where_the_community_has_none(city):
    apps = migrate(BEFORE)
    ComplaintSettings = apps.get_model("complaints", "ComplaintSettings")
    Community = apps.get_model("regions", "Community")
    own = {"type": "Polygon", "coordinates": [[[114.2, 30.5], [114.3, 30.5], [114.3, 30.6], [114.2, 30.5]]]}
    Community.objects.filter(slug="b1").update(boundary=own)
    ComplaintSettings.objects.create(community_id=city["a1"].pk, boundary=[[30.58, 114.30], [30.60, 114.32]])
    ComplaintSettings.objects.create(community_id=city["b1"].pk, boundary=[[30.0, 114.0], [30.1, 114.1]])
    ComplaintSettings.objects.create(community_id=city["c1"].pk, boundary=[[31.2, 121.4], [31.3, 121.5]])

    apps = migrate(AFTER)
    Community = apps.get_model("regions", "Community")
    a1 = Community.objects.get(slug="a1").boundary
    assert clean_boundary(a1) == a1  # a valid region boundary, as the admin would store it
    assert contains(a1, 30.59, 114.31) and not contains(a1, 30.61, 114.31)
    assert Community.objects.get(slug="b1").boundary == own  # the region's own boundary wins
    assert Community.objects.get(slug="c1").boundary is None  # outside the city: not copied
    assert "boundary" not in {f.name for f in apps.get_model("complaints", "ComplaintSettings")._meta.fields}


@pytest.mark.parametrize(
    "points",
    [
        [],
        [[30.5, 114.3]],
        [[30.5, 114.3], [30.5, 114.4]],
        [["a", 1], [2, 3]],
        [[30.5, 114.3], [30.6, 114.4], [30.5, 114.3]],
    ],
)
def test_malformed_old_boundaries_are_left_out(points):
    assert copy.as_geojson(points, (113.7, 29.97, 115.08, 31.36)) is None


def test_a_polygon_becomes_a_closed_ring_in_longitude_latitude_order():
    geometry = copy.as_geojson([[30.5, 114.3], [30.6, 114.3], [30.55, 114.4]], (113.7, 29.97, 115.08, 31.36))
    assert geometry == {
        "type": "Polygon",
        "coordinates": [[[114.3, 30.5], [114.3, 30.6], [114.4, 30.55], [114.3, 30.5]]],
    }
