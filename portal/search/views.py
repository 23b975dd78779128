"""The search page: this community first, one click to widen to its street, district or the city.

Every parameter is optional and forgiving: an unknown kind, scope or page number is ignored (the
page says so where it matters), an over-long query is cut with a message. Nothing here raises on
what a visitor typed.
"""

from dataclasses import dataclass
from difflib import get_close_matches
from urllib.parse import urlencode

from django.conf import settings
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from portal.core import sites

from . import dictionary, places, registry
from .query import DATE_RANGES, SORTS, SearchRequest
from .service import clean_query, search
from .text import highlight, normalise, parse_query

PER_PAGE = 10
MAX_PAGE = 100  # deeper than this, a visitor is better served by narrowing the search


def _date_labels():
    return {
        "week": _("Past week"),
        "month": _("Past month"),
        "year": _("Past year"),
        "older": _("More than a year ago"),
    }


@dataclass
class Link:
    label: str
    url: str
    current: bool = False
    count: int | None = None


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class SearchPage:
    """Reads the request's parameters once and builds the links that change one of them."""

    def __init__(self, request):
        self.request = request
        get = request.GET
        cleaned = clean_query(get.get("q", ""))
        self.q, self.shortened = cleaned.text, cleaned.shortened
        site = sites.site_for_request(request)
        self.home = places.for_site(site.pk) if site else None
        self.scopes = self._scopes()
        wanted = get.get("scope", "")
        self.scope = wanted if wanted in self.scopes else next(iter(self.scopes))
        self.labels = registry.kind_labels()
        self.kinds = [k for k in get.getlist("kind") if k in self.labels][:20]
        self.date = get.get("date", "") if get.get("date", "") in DATE_RANGES else ""
        self.sort = get.get("sort", "") if get.get("sort", "") in SORTS else "relevance"
        self.place = self._place(get.get("place", ""))
        self.page = min(max(_int(get.get("page"), 1), 1), MAX_PAGE)

    def _scopes(self) -> dict[str, tuple[str, int | None]]:
        """{scope: (label, id)}, narrowest first. The city portal searches the whole city."""
        scopes = {}
        if self.home is not None:
            scopes["community"] = (self.home.community, self.home.community_id)
            if self.home.street_id:
                scopes["street"] = (self.home.street, self.home.street_id)
            if self.home.district_id:
                scopes["district"] = (self.home.district, self.home.district_id)
        scopes["city"] = (_("the whole city"), None)
        return scopes

    def _place(self, value: str):
        level, _sep, ident = value.partition(":")
        place = (level, _int(ident))
        return place if place in places.region_names() else None

    def params(self, **changes) -> dict:
        params = {"q": self.q, "scope": self.scope, "kind": self.kinds, "date": self.date, "sort": self.sort}
        params["place"] = f"{self.place[0]}:{self.place[1]}" if self.place else ""
        params["page"] = self.page
        params.update(changes)
        if "page" not in changes:
            params["page"] = 1
        defaults = {"sort": "relevance", "page": 1, "scope": next(iter(self.scopes))}
        return {k: v for k, v in params.items() if (v not in ("", None, []) and defaults.get(k) != v) or k == "q"}

    def url(self, **changes) -> str:
        return "?" + urlencode(self.params(**changes), doseq=True)

    def request_for(self, parsed) -> SearchRequest:
        _label, scope_id = self.scopes[self.scope]
        return SearchRequest(
            query=parsed,
            scope=self.scope,
            scope_id=scope_id,
            kinds=self.kinds,
            date_range=self.date,
            place=self.place,
            sort=self.sort,
            page=self.page,
            per_page=PER_PAGE,
        )


def _result(hit, page: SearchPage, labels):
    where = places.place(hit.community_id)
    same_site = page.home is not None and where is not None and where.community_id == page.home.community_id
    url = hit.path if same_site or where is None else where.root_url + hit.path
    return {
        "kind": hit.kind,
        "kind_label": labels.get(hit.kind, hit.kind),
        "title": highlight(hit.title, hit.terms, length=300),
        "title_prefix": hit.title_prefix,
        "snippet": highlight(hit.text, hit.terms),
        "community": where.community if where else "",
        "date": hit.date,
        "url": url,
    }


def _facets(page: SearchPage, response):
    labels = page.labels
    kinds = [
        Link(str(labels[k]), page.url(kind=[k]), current=page.kinds == [k], count=n)
        for k, n in sorted(response.kinds.items(), key=lambda kv: (-kv[1], kv[0]))
        if k in labels
    ]
    if page.kinds:
        kinds.insert(0, Link(_("All kinds"), page.url(kind=[])))
    names = places.region_names()
    level = SearchRequest(query=None, scope=page.scope).place_facet
    where = []
    if level:
        where = [
            Link(names.get((level, pid), "?"), page.url(place=f"{level}:{pid}"), page.place == (level, pid), n)
            for pid, n in sorted(response.places.items(), key=lambda kv: (-kv[1], kv[0]))
        ][:30]
        if page.place:
            where.insert(0, Link(_("Everywhere in this scope"), page.url(place="")))
    date_labels = _date_labels()
    dates = [
        Link(str(date_labels[d]), page.url(date=d), page.date == d, response.dates.get(d, 0))
        for d in DATE_RANGES
        if response.dates.get(d)
    ]
    if page.date:
        dates.insert(0, Link(_("Any date"), page.url(date="")))
    place_titles = {"district": _("District"), "street": _("Street"), "community": _("Community")}
    return [
        (_("Kind"), kinds),
        (place_titles.get(level, ""), where),
        (_("Date"), dates),
    ]


def _pages(page: SearchPage, total: int):
    last = min(MAX_PAGE, max(1, -(-total // PER_PAGE)))
    numbers = sorted({1, last, *range(max(1, page.page - 2), min(last, page.page + 2) + 1)})
    return {
        "number": page.page,
        "first_number": (page.page - 1) * PER_PAGE + 1,
        "last": last,
        "previous": page.url(page=page.page - 1) if page.page > 1 else "",
        "next": page.url(page=page.page + 1) if page.page < last else "",
        "links": [Link(str(n), page.url(page=n), n == page.page) for n in numbers],
    }


def suggestions(q: str) -> list[str]:
    """Community terms spelled like the query (拉圾分类 → 垃圾分类), for the page of no results."""
    normalised = normalise(q)
    if not normalised or len(normalised) > 12:
        return []
    return [w for w in get_close_matches(normalised, dictionary.words(), n=3, cutoff=0.6) if w != normalised]


def search_view(request):
    page = SearchPage(request)
    parsed = parse_query(page.q)
    context = {
        "search_query": page.q,
        "max_length": settings.SEARCH_MAX_QUERY_LENGTH,
        "shortened": page.shortened,
        "scope": page.scope,
        "scope_links": [
            Link(label, page.url(scope=s, place=""), s == page.scope) for s, (label, _id) in page.scopes.items()
        ],
        "sort_links": [
            Link(_("Relevance"), page.url(sort="relevance"), page.sort == "relevance"),
            Link(_("Newest first"), page.url(sort="date"), page.sort == "date"),
        ],
        "results": None,
        "unsearchable": bool(page.q) and not parsed,
    }
    if parsed:
        response = search(page.request_for(parsed))
        last = max(1, -(-response.total // PER_PAGE))
        if not response.hits and page.page > last:
            page.page = min(last, MAX_PAGE)  # past the end: the last page, as listings do
            response = search(page.request_for(parsed))
        context.update(
            results=[_result(hit, page, page.labels) for hit in response.hits],
            total=response.total,
            capped=response.capped,
            facets_capped=response.facets_capped,
            candidates=settings.SEARCH_CANDIDATES,
            relaxed=response.relaxed,
            facet_groups=_facets(page, response),
            pages=_pages(page, response.total),
        )
        if not response.hits:
            context["suggestions"] = [Link(s, page.url(q=s)) for s in suggestions(page.q)]
            if page.scope != "city":
                context["widen_url"] = page.url(scope="city", place="", kind=[], date="")
            elif page.kinds or page.date or page.place:
                context["widen_url"] = page.url(place="", kind=[], date="")
    return TemplateResponse(request, "search/results.html", context)
