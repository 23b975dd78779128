"""/api/v1/notices, /news, /events and /services: the pages of every community as data, with the site's
own visibility rules (live, not behind a view restriction; notices only while in force; events with
their free places). Filters: community / street / district, a date range, a kind; cursor pages; CSV."""

from datetime import date, datetime

from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from wagtail.models import Page

from communities.events.models import EventPage, EventSignup
from communities.news.models import NewsArticlePage
from communities.notices.models import NoticePage
from communities.regions.models import Community, Region
from communities.services.models import ServicePage
from portal.api.http import DEFAULT_LIMIT, ERRORS, check_format, csv_response, page_of, paginate, set_last_modified
from portal.api.opendata import Field as OpenDataField
from portal.api.registry import register
from portal.core.tree import below


class PageOut(Schema):
    id: int
    community: str
    title: str
    url: str
    first_published: datetime | None
    last_published: datetime | None


class NoticeOut(PageOut):
    summary: str
    issuer: str
    pinned: bool
    valid_from: datetime | None
    valid_until: datetime | None


class NewsOut(PageOut):
    date: date
    summary: str


class EventOut(PageOut):
    summary: str
    start: datetime
    end: datetime
    place: str
    organiser: str
    capacity: int | None
    free_places: int | None
    signup_open: bool


class ServiceOut(PageOut):
    kind: str
    summary: str
    provider: str


def _subtree(community, street, district) -> Q:
    """The pages under the chosen community / street / district (all given must hold); 400 for a slug
    that names nothing."""
    condition = Q()
    for value, model, extra in (
        (community, Community, {}),
        (street, Region, {"kind": Region.Kind.STREET}),
        (district, Region, {"kind": Region.Kind.DISTRICT}),
    ):
        if not value:
            continue
        found = (
            model.objects.filter(slug=value[:50], **extra)
            .values_list("root_page__path" if model is Community else "page__path", flat=True)
            .first()
        )
        if found is None:
            name = "community" if model is Community else extra["kind"]
            raise HttpError(400, f"{name}: no {name} with the slug '{value[:50]}'")
        condition &= below(Page(path=found))
    return condition


def _homes(pages) -> dict:
    """{page path prefix: (slug, site root URL, home url_path)} of the communities holding `pages`: one query."""
    prefixes = {p.path[:end] for p in pages for end in range(Page.steplen, len(p.path), Page.steplen)}
    rows = Community.objects.filter(root_page__path__in=prefixes).values_list(
        "root_page__path", "slug", "site__hostname", "site__port", "root_page__url_path"
    )
    homes = {}
    for path, slug, hostname, port, url_path in rows:
        root = (
            f"http://{hostname}"
            if port == 80
            else f"https://{hostname}"
            if port == 443
            else f"http://{hostname}:{port}"
        )
        homes[path] = (slug, root, url_path)
    return homes


def _base(page, homes) -> dict:
    home = next(
        (
            homes[page.path[:end]]
            for end in range(Page.steplen, len(page.path), Page.steplen)
            if page.path[:end] in homes
        ),
        None,
    )
    slug, root, home_path = home or ("", "", page.url_path)
    return {
        "id": page.pk,
        "community": slug,
        "title": page.title,
        "url": root + "/" + page.url_path[len(home_path) :] if home else "",
        "first_published": page.first_published_at,
        "last_published": page.last_published_at,
    }


def _listing(request, response, queryset, schema, extra, filename, community, street, district, cursor, limit, format):
    check_format(format)
    queryset = queryset.live().public().filter(_subtree(community, street, district))
    page, next_cursor = paginate(queryset, cursor, limit)
    homes = _homes(page)
    items = [_base(p, homes) | extra(p) for p in page]
    set_last_modified(response, [p.last_published_at for p in page])
    if format == "csv":
        return csv_response(schema, items, filename, next_cursor)
    return {"items": items, "next_cursor": next_cursor}


notices_router = Router(tags=["pages"])
news_router = Router(tags=["pages"])
events_router = Router(tags=["pages"])
services_router = Router(tags=["pages"])


def _day_range(field, since, until) -> Q:
    condition = Q()
    if since:
        condition &= Q(**{f"{field}__gte": since})
    if until:
        condition &= Q(**{f"{field}__lte": until})
    return condition


@notices_router.get("", response={200: page_of(NoticeOut), **ERRORS}, summary="Notices in force (通知公告)")
def notices(
    request,
    response: HttpResponse,
    community: str | None = None,
    street: str | None = None,
    district: str | None = None,
    since: date | None = None,
    until: date | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    format: str = "json",
):
    """Only notices in force now (valid_from ≤ now < valid_until), as on the site. `since`/`until`: first published."""
    queryset = NoticePage.objects.current().filter(_day_range("first_published_at__date", since, until))

    def extra(p):
        return {
            "summary": p.summary,
            "issuer": p.issuer,
            "pinned": p.pinned,
            "valid_from": p.valid_from,
            "valid_until": p.valid_until,
        }

    return _listing(
        request, response, queryset, NoticeOut, extra, "notices", community, street, district, cursor, limit, format
    )


@news_router.get("", response={200: page_of(NewsOut), **ERRORS}, summary="News (社区新闻)")
def news(
    request,
    response: HttpResponse,
    community: str | None = None,
    street: str | None = None,
    district: str | None = None,
    since: date | None = None,
    until: date | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    format: str = "json",
):
    queryset = NewsArticlePage.objects.filter(_day_range("date", since, until))
    return _listing(
        request,
        response,
        queryset,
        NewsOut,
        lambda p: {"date": p.date, "summary": p.intro},
        "news",
        community,
        street,
        district,
        cursor,
        limit,
        format,
    )


@events_router.get("", response={200: page_of(EventOut), **ERRORS}, summary="Events (社区活动) with free places")
def events(
    request,
    response: HttpResponse,
    community: str | None = None,
    street: str | None = None,
    district: str | None = None,
    since: date | None = None,
    until: date | None = None,
    upcoming: bool = False,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    format: str = "json",
):
    """`since`/`until`: the day an event starts; `upcoming=true`: only events not yet over.
    `free_places` is null when the event has no limit."""
    queryset = EventPage.objects.filter(_day_range("start__date", since, until)).annotate(
        confirmed=Count("signups", filter=Q(signups__status=EventSignup.Status.CONFIRMED))
    )
    if upcoming:
        queryset = queryset.filter(end__gt=timezone.now())

    def extra(p):
        return {
            "summary": p.summary,
            "start": p.start,
            "end": p.end,
            "place": p.place,
            "organiser": p.organiser,
            "capacity": p.capacity or None,
            "free_places": max(p.capacity - p.confirmed, 0) if p.capacity else None,
            "signup_open": p.signup_possible,
        }

    return _listing(
        request, response, queryset, EventOut, extra, "events", community, street, district, cursor, limit, format
    )


@services_router.get("", response={200: page_of(ServiceOut), **ERRORS}, summary="Services (便民服务) by kind")
def services(
    request,
    response: HttpResponse,
    community: str | None = None,
    street: str | None = None,
    district: str | None = None,
    kind: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    format: str = "json",
):
    if kind is not None and kind not in ServicePage.Kind.values:
        raise HttpError(400, f"kind: one of {', '.join(ServicePage.Kind.values)}")
    queryset = ServicePage.objects.filter(kind=kind) if kind else ServicePage.objects.all()
    return _listing(
        request,
        response,
        queryset,
        ServiceOut,
        lambda p: {"kind": p.kind, "summary": p.summary, "provider": p.provider},
        "services",
        community,
        street,
        district,
        cursor,
        limit,
        format,
    )


def page_export(model, extra, current=False, prepare=None):
    """The rows(communities) of an open-data table of live, public pages of one type."""

    def rows(communities):
        queryset = model.objects.live().public()
        if prepare is not None:
            queryset = prepare(queryset)
        if current:
            queryset = queryset.current()
        if communities is not None:
            subtree = Q()
            for path in communities.values_list("root_page__path", flat=True):
                subtree |= below(Page(path=path))
            queryset = queryset.filter(subtree)
        pages = list(queryset.order_by("pk"))
        homes = _homes(pages)
        return [_base(p, homes) | extra(p) for p in pages]

    return rows


def export_fields(schema, types):
    """Open-data fields from an API schema's fields (types default to string)."""

    return [OpenDataField(name, types.get(name, "string"), name.replace("_", " ")) for name in schema.model_fields]


BASE_TYPES = {"id": "integer", "first_published": "datetime", "last_published": "datetime"}


def connect():
    from portal.api.opendata import Table
    from portal.api.registry import register_export

    register_export(
        Table(
            "notices",
            "Notices in force",
            export_fields(
                NoticeOut, BASE_TYPES | {"pinned": "boolean", "valid_from": "datetime", "valid_until": "datetime"}
            ),
            page_export(
                NoticePage,
                lambda p: {
                    "summary": p.summary,
                    "issuer": p.issuer,
                    "pinned": p.pinned,
                    "valid_from": p.valid_from,
                    "valid_until": p.valid_until,
                },
                current=True,
            ),
        )
    )
    register_export(
        Table(
            "events",
            "Events",
            export_fields(
                EventOut,
                BASE_TYPES
                | {
                    "start": "datetime",
                    "end": "datetime",
                    "capacity": "integer",
                    "free_places": "integer",
                    "signup_open": "boolean",
                },
            ),
            page_export(
                EventPage,
                lambda p: {
                    "summary": p.summary,
                    "start": p.start,
                    "end": p.end,
                    "place": p.place,
                    "organiser": p.organiser,
                    "capacity": p.capacity or None,
                    "free_places": max(p.capacity - p.confirmed, 0) if p.capacity else None,
                    "signup_open": p.signup_possible,
                },
                prepare=lambda queryset: queryset.annotate(
                    confirmed=Count("signups", filter=Q(signups__status=EventSignup.Status.CONFIRMED))
                ),
            ),
        )
    )
    register_export(
        Table(
            "news",
            "News",
            export_fields(NewsOut, BASE_TYPES | {"date": "date"}),
            page_export(NewsArticlePage, lambda p: {"date": p.date, "summary": p.intro}),
        )
    )
    register_export(
        Table(
            "services",
            "Services",
            export_fields(ServiceOut, BASE_TYPES),
            page_export(ServicePage, lambda p: {"kind": p.kind, "summary": p.summary, "provider": p.provider}),
        )
    )
    register("notices", notices_router)
    register("news", news_router)
    register("events", events_router)
    register("services", services_router)
