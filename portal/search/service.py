"""Searching, for every caller: the search page, the admin's staff search and the WeChat bot."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from . import places, registry
from .backends import get_engine
from .query import SearchRequest, SearchResponse
from .text import ParsedQuery, parse_query

# A query longer than this many characters is never even normalised (the cap itself is smaller).
HARD_LIMIT = 2_000


@dataclass
class Cleaned:
    text: str
    shortened: bool


def clean_query(raw: str) -> Cleaned:
    """Collapse whitespace and cap the length; `shortened` tells the caller to say so."""
    limit = settings.SEARCH_MAX_QUERY_LENGTH
    text = " ".join((raw or "")[:HARD_LIMIT].replace("\x00", " ").split())
    return Cleaned(text=text[:limit], shortened=len(text) > limit)


def search(request: SearchRequest) -> SearchResponse:
    if not request.query:
        return SearchResponse(hits=[], total=0)
    return get_engine().search(request)


def search_for_bot(query: str, community: int | str | None = None, limit: int = 5) -> list[dict]:
    """For the WeChat bot: the `limit` best public items for `query`, in one community (id or slug)
    or city-wide. Each item: kind, kind_label, title, snippet (plain text), url, community, date."""
    from django.utils.html import strip_tags

    from .text import highlight

    parsed: ParsedQuery = parse_query(clean_query(query).text)
    place = None
    if community is not None:
        place = places.by_slug(community) if isinstance(community, str) else places.place(community)
        if place is None:
            return []
    request = SearchRequest(
        query=parsed,
        scope="community" if place else "city",
        scope_id=place.community_id if place else None,
        per_page=max(1, min(int(limit), 20)),
        facets=False,
    )
    labels = registry.kind_labels()
    items = []
    for hit in search(request).hits:
        where = places.place(hit.community_id)
        items.append(
            {
                "kind": hit.kind,
                "kind_label": str(labels.get(hit.kind, hit.kind)),
                "title": hit.title_prefix + hit.title,
                "snippet": strip_tags(highlight(hit.text, hit.terms, length=80)),
                "url": (where.root_url if where else "") + hit.path,
                "community": where.community if where else "",
                "date": hit.date,
            }
        )
    return items
