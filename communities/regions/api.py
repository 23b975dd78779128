"""/api/v1/regions and /api/v1/communities: the city > district > street > community tree, hosts and
counts; and `scope()`, the one community/street/district filter every list of the API uses."""

from django.db.models import Count
from ninja import Router, Schema
from ninja.errors import HttpError

from portal.api.http import DEFAULT_LIMIT, ERRORS, check_format, csv_response, page_of, paginate
from portal.api.registry import register

from .models import Community, Region

regions_router = Router(tags=["communities"])
router = Router(tags=["communities"])


def scope(community: str | None = None, street: str | None = None, district: str | None = None):
    """The communities a list is filtered to (a queryset), or None for every community; 400 for a slug
    that names nothing."""
    communities = None
    for value, lookup, kind in (
        (community, "slug", None),
        (street, "street__slug", Region.Kind.STREET),
        (district, "street__parent__slug", Region.Kind.DISTRICT),
    ):
        if not value:
            continue
        exists = (
            Community.objects.filter(slug=value).exists()
            if kind is None
            else Region.objects.filter(slug=value, kind=kind).exists()
        )
        if not exists:
            name = "community" if kind is None else kind
            raise HttpError(400, f"{name}: no {name} with the slug '{value[:50]}'")
        communities = (communities if communities is not None else Community.objects.all()).filter(**{lookup: value})
    return communities


class RegionOut(Schema):
    id: int
    kind: str
    name: str
    slug: str
    parent: str | None
    communities: int


class CommunityOut(Schema):
    id: int
    slug: str
    name: str
    host: str
    url: str
    street: str
    district: str


@regions_router.get("", response={200: list[RegionOut], **ERRORS}, summary="The region tree: city, districts, streets")
def regions(request, kind: str | None = None):
    """Every region with its parent's slug and the number of communities under it."""
    if kind is not None and kind not in Region.Kind.values:
        raise HttpError(400, f"kind: one of {', '.join(Region.Kind.values)}")
    rows = Region.objects.select_related("parent").annotate(
        direct=Count("communities", distinct=True),
        in_streets=Count("children__communities", distinct=True),
    )
    if kind:
        rows = rows.filter(kind=kind)
    total = Community.objects.count()
    return [
        {
            "id": r.pk,
            "kind": r.kind,
            "name": r.name,
            "slug": r.slug,
            "parent": r.parent.slug if r.parent_id else None,
            "communities": total if r.kind == Region.Kind.CITY else (r.direct or r.in_streets),
        }
        for r in rows.order_by("pk")
    ]


def _community(c: Community) -> dict:
    return {
        "id": c.pk,
        "slug": c.slug,
        "name": c.name,
        "host": c.hostname,
        "url": c.site.root_url + "/",
        "street": c.street.slug,
        "district": c.street.parent.slug if c.street.parent_id else "",
    }


@router.get(
    "",
    response={200: page_of(CommunityOut), **ERRORS},
    summary="Communities, each with its own host",
)
def communities(
    request,
    street: str | None = None,
    district: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    format: str = "json",
):
    check_format(format)
    rows = scope(street=street, district=district)
    rows = (rows if rows is not None else Community.objects.all()).select_related("site", "street__parent")
    page, next_cursor = paginate(rows, cursor, limit)
    items = [_community(c) for c in page]
    if format == "csv":
        return csv_response(CommunityOut, items, "communities", next_cursor)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/{slug}", response={200: CommunityOut, **ERRORS}, summary="One community")
def community(request, slug: str):
    found = Community.objects.select_related("site", "street__parent").filter(slug=slug[:50]).first()
    if found is None:
        raise HttpError(404, "No such community.")
    return _community(found)


def connect():
    register("regions", regions_router)
    register("communities", router)
