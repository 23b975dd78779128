"""A search as every backend receives it, and its answer: hits, total and facet counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from .text import ParsedQuery

SCOPES = ("community", "street", "district", "city")
# The place facet one level below the scope: a city-wide search counts per district, and so on.
PLACE_FACET_BELOW = {"city": "district", "district": "street", "street": "community", "community": None}
SORTS = ("relevance", "date")
# Date facet buckets, newest first; each is "within the last N days" (older: the rest).
DATE_BUCKETS = (("week", 7), ("month", 30), ("year", 365))
DATE_RANGES = tuple(name for name, _days in DATE_BUCKETS) + ("older",)


def bucket_starts(now: datetime | None = None) -> dict[str, datetime]:
    now = now or timezone.now()
    return {name: now - timedelta(days=days) for name, days in DATE_BUCKETS}


@dataclass
class SearchRequest:
    query: ParsedQuery
    scope: str = "city"  # community, street, district or city
    scope_id: int | None = None  # the community, street or district id
    # None: a visitor (public items in their time window only); a list: staff, any item of these communities.
    staff_communities: list[int] | None = None
    kinds: list[str] = field(default_factory=list)
    date_range: str = ""  # one of DATE_RANGES, or "" for any date
    place: tuple[str, int] | None = None  # a facet the visitor chose: ("street", 12)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    after: list | None = None  # Elasticsearch's search_after cursor, when paging past the first pages
    facets: bool = True
    now: datetime = field(default_factory=timezone.now)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def place_facet(self) -> str | None:
        return PLACE_FACET_BELOW.get(self.scope)


@dataclass
class Hit:
    kind: str
    object_id: str
    community_id: int
    title: str
    title_prefix: str
    text: str
    date: datetime
    path: str
    admin_path: str
    public: bool
    terms: list[str]  # the words to highlight in title and text
    score: float | None = None


@dataclass
class SearchResponse:
    hits: list[Hit]
    total: int
    kinds: dict[str, int] = field(default_factory=dict)
    places: dict[int, int] = field(default_factory=dict)  # place id (of request.place_facet) -> count
    dates: dict[str, int] = field(default_factory=dict)  # DATE_RANGES -> count
    cursor: list | None = None  # pass as `after` for the next page (Elasticsearch)
    relaxed: bool = False  # no item had every word: these have some of them
    # More matches than were counted: `total` is a lower bound (shown as "1,000+"), and so are the
    # facet counts when `facets_capped`. The database engine counts at most SEARCH_CANDIDATES.
    capped: bool = False
    facets_capped: bool = False


def date_window(date_range: str, now: datetime) -> tuple[datetime | None, datetime | None]:
    """(from, until) of a date facet: the last week, month or year, or older than a year."""
    starts = bucket_starts(now)
    if date_range in starts:
        return starts[date_range], None
    if date_range == "older":
        return None, starts["year"]
    return None, None
