"""Where a community is: its street, its district, its site. Supplied by `communities` through
`registry.register_places`, read here with a short per-process cache (700 communities fit easily)."""

import time
from dataclasses import dataclass

from portal.core.sites import max_age

from . import registry


@dataclass(frozen=True)
class Place:
    community_id: int
    community: str
    slug: str
    street_id: int | None
    street: str
    district_id: int | None
    district: str
    root_url: str  # the community site's root URL, without the trailing slash
    site_id: int | None = None


_cache = {"at": 0.0, "places": {}, "names": None}


def all_places() -> dict[int, Place]:
    now = time.monotonic()
    if now - _cache["at"] > max_age() or not _cache["places"]:
        resolver = registry.places_resolver()
        _cache["places"] = resolver() if resolver else {}
        _cache["names"] = None
        _cache["at"] = now
    return _cache["places"]


def forget():
    _cache["at"] = 0.0
    _cache["places"] = {}
    _cache["names"] = None


def place(community_id) -> Place | None:
    return all_places().get(community_id)


def for_site(site_id) -> Place | None:
    return next((p for p in all_places().values() if p.site_id == site_id), None)


def by_slug(slug: str) -> Place | None:
    return next((p for p in all_places().values() if p.slug == slug), None)


def region_names() -> dict[tuple[str, int], str]:
    """{("street", id): name, ("district", id): name, ("community", id): name}, made once per load of the
    places (a dashboard names dozens of areas per request)."""
    everywhere = all_places()
    if _cache["names"] is not None:
        return _cache["names"]
    names = {}
    for p in everywhere.values():
        names[("community", p.community_id)] = p.community
        if p.street_id:
            names[("street", p.street_id)] = p.street
        if p.district_id:
            names[("district", p.district_id)] = p.district
    _cache["names"] = names
    return names
