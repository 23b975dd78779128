"""A community home's listings (its notices in force, latest news and upcoming events), rendered once per version."""

import datetime
import functools
from dataclasses import dataclass
from functools import cached_property

from django.db import connection
from django.utils import timezone
from wagtail.models import Page

from portal.core import sites
from portal.core.tree import PATH_ALPHABET_LAST, PATH_MAX_LENGTH, below

HOME_NOTICES, HOME_NEWS, HOME_EVENTS = 6, 5, 4


@dataclass(frozen=True)
class Listed:
    """What communities/_home_list.html shows of an item: its title, link and date."""

    title: str
    href: str
    pinned: bool = False
    date: datetime.date | None = None
    start: datetime.datetime | None = None
    first_published_at: datetime.datetime | None = None


class HomeListings:
    """The lists of communities/community_home_page.html, for `{% sitewide with listings=listings %}`: read and
    rendered only when `sitewide_key` names a version not rendered yet.

    Publishing, unpublishing or deleting a notice, news article or event moves its site's page cache, not the
    site map generation (portal.core.signals), so the key is read from the database: the community's live pages
    (their number falls with an unpublish or a deletion; a publish, an edit included, gives a newer
    `last_published_at` and `live_revision_id`) and the next moment a notice starts or ends or an event ends
    (the lists change then without any write)."""

    def __init__(self, home, request):
        self.home, self.request, self.now = home, request, timezone.now()

    @cached_property
    def sitewide_key(self) -> tuple:
        adapt = connection.ops.adapt_datetimefield_value
        low, high = self.home.path, self.home.path + PATH_ALPHABET_LAST * (PATH_MAX_LENGTH - len(self.home.path))
        with connection.cursor() as cursor:
            cursor.execute(_version_sql(), [adapt(self.now)] * 3 + [low, high])
            return ("home listings", self.home.pk, *cursor.fetchone())

    def _href(self, url_path: str) -> str:
        # Items below the home are on its site: their link is their path there, what `{% pageurl %}` gives.
        return sites.url_for_path(url_path, self.request)

    def notices(self) -> list[Listed]:
        from communities.notices.models import NoticePage

        notices = NoticePage.objects.live().current(self.now).filter(below(self.home))
        notices = notices.order_by("-pinned", "-first_published_at")
        rows = notices.values_list("title", "url_path", "pinned", "first_published_at")[:HOME_NOTICES]
        return [
            Listed(title, self._href(url_path), pinned=pinned, first_published_at=first_published_at)
            for title, url_path, pinned, first_published_at in rows
        ]

    def news(self) -> list[Listed]:
        from communities.news.models import NewsArticlePage

        news = NewsArticlePage.objects.live().filter(below(self.home)).order_by("-date", "-pk")
        rows = news.values_list("title", "url_path", "date", "first_published_at")[:HOME_NEWS]
        return [
            Listed(title, self._href(url_path), date=day, first_published_at=first_published_at)
            for title, url_path, day, first_published_at in rows
        ]

    def events(self) -> list[Listed]:
        from communities.events.models import EventPage

        events = EventPage.objects.live().filter(below(self.home), end__gte=self.now).order_by("start")
        rows = events.values_list("title", "url_path", "start", "first_published_at")[:HOME_EVENTS]
        return [
            Listed(title, self._href(url_path), start=start, first_published_at=first_published_at)
            for title, url_path, start, first_published_at in rows
        ]


@functools.cache
def _version_sql() -> str:
    """`HomeListings.sitewide_key`'s statement: the number of live pages below a path range, their latest publish
    and live revision, and the next notice start, notice end and event end after a moment. Written out, as the
    range `portal.core.tree.below` gives: the ORM took forty times longer to compile it than the database to
    answer, on every request to the home."""
    from communities.events.models import EventPage
    from communities.notices.models import NoticePage

    q = connection.ops.quote_name
    page, notice, event = (q(model._meta.db_table) for model in (Page, NoticePage, EventPage))
    return f"""
        SELECT COUNT(*), MAX(p.last_published_at), MAX(p.live_revision_id),
            MIN(CASE WHEN n.valid_from > %s THEN n.valid_from END),
            MIN(CASE WHEN n.valid_until > %s THEN n.valid_until END),
            MIN(CASE WHEN e.{q("end")} >= %s THEN e.{q("end")} END)
        FROM {page} p
        LEFT JOIN {notice} n ON n.page_ptr_id = p.id
        LEFT JOIN {event} e ON e.page_ptr_id = p.id
        WHERE p.live AND p.path > %s AND p.path <= %s"""
