"""One boundary per community: ComplaintSettings.boundary ([latitude, longitude] pairs: a box's two corners or a
polygon's vertices) becomes the community's GeoJSON boundary (Community.boundary, [longitude, latitude]) where
the community has none yet. A boundary that is malformed or leaves the city's box (PORTAL_CITY_BOUNDS) is not
copied (named on the console); set it in the admin (Regions, Communities)."""

import math

from django.conf import settings
from django.db import migrations


def as_geojson(points, bounds):
    """The GeoJSON Polygon of an old boundary, or None when it is empty, malformed or outside `bounds`."""
    if not isinstance(points, list) or len(points) < 2:
        return None
    pairs = []
    for point in points:
        if not (
            isinstance(point, list)
            and len(point) == 2
            and all(isinstance(c, int | float) and not isinstance(c, bool) and math.isfinite(c) for c in point)
        ):
            return None
        pairs.append((point[1], point[0]))  # (lon, lat)
    if len(pairs) == 2:
        (lon1, lat1), (lon2, lat2) = pairs
        west, east, south, north = min(lon1, lon2), max(lon1, lon2), min(lat1, lat2), max(lat1, lat2)
        if west == east or south == north:
            return None
        pairs = [(west, south), (east, south), (east, north), (west, north)]
    if pairs[0] == pairs[-1]:
        pairs = pairs[:-1]
    if len(pairs) < 3:
        return None
    min_lon, min_lat, max_lon, max_lat = bounds
    if not all(min_lon <= lon <= max_lon and min_lat <= lat <= max_lat for lon, lat in pairs):
        return None
    ring = [[round(lon, 6), round(lat, 6)] for lon, lat in pairs]
    return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


def copy_boundaries(apps, schema_editor):
    ComplaintSettings = apps.get_model("complaints", "ComplaintSettings")
    Community = apps.get_model("regions", "Community")
    bounds = tuple(settings.PORTAL_CITY_BOUNDS)
    for row in ComplaintSettings.objects.order_by("pk").values("community_id", "boundary"):
        if not row["boundary"]:
            continue
        community = Community.objects.get(pk=row["community_id"])
        if community.boundary:
            continue  # the region's own boundary wins
        geometry = as_geojson(row["boundary"], bounds)
        if geometry is None:
            print(
                f"\n  complaints: the old boundary of community {community.slug!r} is malformed or outside the city; "
                "not copied. Set it in the admin (Regions, Communities)."
            )
            continue
        community.boundary = geometry
        community.save(update_fields=["boundary"])


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0007_merge_api_keys_and_wechat_words"),
        ("regions", "0006_boundaries"),
    ]

    operations = [migrations.RunPython(copy_boundaries, migrations.RunPython.noop)]
