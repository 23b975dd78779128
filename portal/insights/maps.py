"""The map (电子地图) of the insights dashboard: what parts put on it, and the ratios its areas are shaded by
(complaints per 1,000 residents, the overdue share, turnout: `registry.ratios()`, read through
`query.figures_by_region` like every figure).

Parts register from `AppConfig.ready()` (portal imports nothing from above):
* `register_areas(provider)`: `provider(level, ids)` returns {id: Area} for "community" ids or "street" /
  "district" region ids (communities supplies names and boundaries);
* `register_points(PointLayer(...))`: `points(community_ids, start, end, category)` returns [[lat, lon,
  label], ...] (complaints supply theirs; the service directory and organisations their places), each layer
  with a toggle on the map. Never a resident's home: a layer shows places of things.
"""

from collections.abc import Callable
from dataclasses import dataclass

from . import query

POINT_LIMIT = 5000  # points per layer on one map; the summary says when more were left out


@dataclass(frozen=True)
class Area:
    name: str
    boundary: dict | None


@dataclass(frozen=True)
class PointLayer:
    key: str
    label: object
    points: Callable  # (community_ids, start, end, category, limit) -> [[lat, lon, label], ...]
    order: int = 100  # the layers' order in the map's toggles (and their colours)


_areas: list[Callable] = []
_layers: dict[str, PointLayer] = {}


def register_areas(provider: Callable) -> None:
    if provider not in _areas:
        _areas.append(provider)


def register_points(layer: PointLayer) -> None:
    _layers[layer.key] = layer


def areas(level: str, ids: set[int]) -> dict[int, Area]:
    found: dict[int, Area] = {}
    for provider in _areas:
        found.update(provider(level, ids))
    return found


def layers() -> list[PointLayer]:
    return sorted(_layers.values(), key=lambda layer: (layer.order, layer.key))


# The figures the map offers first (issue 16); every other registered ratio follows.
PREFERRED = ("complaints.per_1000", "complaints.overdue_share", "deliberations.turnout")


def shadings() -> list:
    """The ratios areas may be shaded by (registry.ratios(): their parts are all registered)."""
    found = query.registry.ratios()
    rank = {key: i for i, key in enumerate(PREFERRED)}
    return sorted(found, key=lambda r: rank.get(r.key, len(rank)))


def shading(key: str):
    return next((s for s in shadings() if s.key == key), None)
