"""Region and community boundaries: GeoJSON polygons, validated; and the demo city's generated grid.

A boundary is a GeoJSON geometry, Polygon or MultiPolygon, in WGS84 [longitude, latitude] (RFC 7946), inside
the city's box (`PORTAL_CITY_BOUNDS`: min longitude, min latitude, max longitude, max latitude) and no
larger than `PORTAL_BOUNDARY_MAX_BYTES` once serialised. A Feature (or a FeatureCollection of one Feature)
is accepted and reduced to its geometry, since that is what GIS tools export.
"""

import json
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_VERTICES = 20_000


def city_bounds() -> tuple[float, float, float, float]:
    return tuple(settings.PORTAL_CITY_BOUNDS)


def max_bytes() -> int:
    return settings.PORTAL_BOUNDARY_MAX_BYTES


def _geometry(value):
    """The geometry of a geometry, a Feature or a one-Feature FeatureCollection."""
    if isinstance(value, dict) and value.get("type") == "FeatureCollection":
        features = value.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise ValidationError(
                _("A FeatureCollection must hold exactly one feature (the boundary)."), code="boundary_features"
            )
        value = features[0]
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    return value


def _position(position, bounds) -> tuple[float, float]:
    if (
        not isinstance(position, list)
        or len(position) not in (2, 3)
        or not all(isinstance(c, int | float) and not isinstance(c, bool) and math.isfinite(c) for c in position)
    ):
        raise ValidationError(_("Each position must be [longitude, latitude] in numbers."), code="boundary_position")
    lon, lat = position[0], position[1]
    min_lon, min_lat, max_lon, max_lat = bounds
    if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
        raise ValidationError(
            _(
                "The point [%(lon)s, %(lat)s] lies outside the city (longitude %(min_lon)s to %(max_lon)s, latitude "
                "%(min_lat)s to %(max_lat)s). GeoJSON puts the longitude first."
            ),
            code="boundary_outside_city",
            params={
                "lon": lon,
                "lat": lat,
                "min_lon": min_lon,
                "max_lon": max_lon,
                "min_lat": min_lat,
                "max_lat": max_lat,
            },
        )
    return lon, lat


def _polygon(rings, bounds) -> int:
    if not isinstance(rings, list) or not rings:
        raise ValidationError(_("A polygon is a list of rings."), code="boundary_polygon")
    count = 0
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4:
            raise ValidationError(_("Each ring of a polygon needs at least four positions."), code="boundary_ring")
        points = [_position(p, bounds) for p in ring]
        if points[0] != points[-1]:
            raise ValidationError(_("Each ring of a polygon must end where it starts."), code="boundary_ring_open")
        count += len(points)
    return count


def clean_boundary(value):
    """The boundary to store (a Polygon or MultiPolygon geometry), or None; ValidationError otherwise."""
    if value in (None, "", {}, []):
        return None
    if isinstance(value, str | bytes):
        if len(value) > max_bytes():
            raise _too_large()
        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationError(
                _("This is not valid GeoJSON (JSON could not be read)."), code="boundary_json"
            ) from None
    geometry = _geometry(value)
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError(_("A boundary must be a GeoJSON Polygon or MultiPolygon."), code="boundary_type")
    coordinates = geometry.get("coordinates")
    bounds = city_bounds()
    if geometry["type"] == "Polygon":
        vertices = _polygon(coordinates, bounds)
    else:
        if not isinstance(coordinates, list) or not coordinates:
            raise ValidationError(_("A MultiPolygon is a list of polygons."), code="boundary_polygon")
        vertices = sum(_polygon(polygon, bounds) for polygon in coordinates)
    if vertices > MAX_VERTICES:
        raise ValidationError(
            _("The boundary has %(count)s points; at most %(max)s are accepted. Simplify it first."),
            code="boundary_too_many_points",
            params={"count": vertices, "max": MAX_VERTICES},
        )
    cleaned = {"type": geometry["type"], "coordinates": coordinates}
    if len(json.dumps(cleaned, separators=(",", ":"))) > max_bytes():
        raise _too_large()
    return cleaned


def _too_large():
    return ValidationError(
        _("The boundary is larger than %(size)s kB; simplify it first."),
        code="boundary_too_large",
        params={"size": max_bytes() // 1000},
    )


def validate_boundary(value):
    """Model field validator: what `clean_boundary` would store is stored unchanged."""
    if value is not None and clean_boundary(value) != value:
        raise ValidationError(_("A boundary must be a GeoJSON Polygon or MultiPolygon."), code="boundary_type")


def centre(geometry) -> tuple[float, float] | None:
    """(latitude, longitude) of the middle of a boundary's box, or None."""
    if not geometry:
        return None
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    lons = [p[0] for polygon in polygons for p in polygon[0]]
    lats = [p[1] for polygon in polygons for p in polygon[0]]
    return (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2


def _in_ring(lat: float, lon: float, ring) -> bool:
    """Ray casting over a GeoJSON ring of [lon, lat] positions."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def contains(geometry, lat: float, lon: float) -> bool:
    """Whether a stored boundary (Polygon or MultiPolygon) holds the point: inside an outer ring and in none
    of its holes. A point on the edge may fall either way."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return any(
        _in_ring(lat, lon, rings[0]) and not any(_in_ring(lat, lon, hole) for hole in rings[1:]) for rings in polygons
    )


def in_city(lat: float, lon: float) -> bool:
    min_lon, min_lat, max_lon, max_lat = city_bounds()
    return min_lon <= lon <= max_lon and min_lat <= lat <= max_lat


def point_error(lat, lon, boundary=None, place=None) -> ValidationError | None:
    """Why a place (latitude, longitude in WGS84) cannot be put on the map, or None: both numbers, finite, inside
    the city's box and, when `boundary` (a community's stored boundary, named `place`) is given, inside it.
    The one check for complaints (form, WeChat), services and organisations."""
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        return ValidationError(_("Give both latitude and longitude, or neither."), code="point_incomplete")
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        lat = math.nan
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return ValidationError(_("Latitude and longitude must be numbers."), code="point_not_a_number")
    if not in_city(lat, lon):
        min_lon, min_lat, max_lon, max_lat = city_bounds()
        return ValidationError(
            _(
                "This point (latitude %(lat)s, longitude %(lon)s) is outside the city (latitude %(min_lat)s to "
                "%(max_lat)s, longitude %(min_lon)s to %(max_lon)s)."
            )
            % {
                "lat": round(lat, 6),
                "lon": round(lon, 6),
                "min_lat": min_lat,
                "max_lat": max_lat,
                "min_lon": min_lon,
                "max_lon": max_lon,
            },
            code="point_outside_city",
        )
    if boundary and not contains(boundary, lat, lon):
        return ValidationError(
            _("This point is outside %(community)s. Choose a place inside the community.") % {"community": place},
            code="point_outside_community",
        )
    return None


# The demo city's generated boundaries ---------------------------------------------------------------------


def rectangle(west, south, east, north) -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def split(box, count: int) -> list[tuple[float, float, float, float]]:
    """`box` cut into `count` equal strips across its longer side."""
    west, south, east, north = box
    if count <= 0:
        return []
    if east - west >= north - south:
        step = (east - west) / count
        return [(west + i * step, south, west + (i + 1) * step, north) for i in range(count)]
    step = (north - south) / count
    return [(west, south + i * step, east, south + (i + 1) * step) for i in range(count)]


def demo_grid(tree, box) -> dict:
    """{node: rectangle} for a tree given as {node: [children]} from its root: each node's box is cut into
    strips for its children, recursively (district ⊃ street ⊃ community)."""
    root = next(iter(tree))
    boxes = {root: box}
    queue = [root]
    while queue:
        node = queue.pop(0)
        children = tree.get(node, [])
        for child, child_box in zip(children, split(boxes[node], len(children)), strict=True):
            boxes[child] = child_box
            queue.append(child)
    return {node: rectangle(*b) for node, b in boxes.items()}
