"""A community home's listings (its notices in force, latest news and upcoming events), rendered once per version."""

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from wagtail.models import Page

from portal.core import sites
from portal.core.tree import below

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
        now = self.now
        found = Page.objects.filter(below(self.home), live=True).aggregate(
            n=Count("pk"),
            published=Max("last_published_at"),
            revision=Max("live_revision_id"),
            notice_starts=Min("noticepage__valid_from", filter=Q(noticepage__valid_from__gt=now)),
            notice_ends=Min("noticepage__valid_until", filter=Q(noticepage__valid_until__gt=now)),
            event_ends=Min("eventpage__end", filter=Q(eventpage__end__gte=now)),
        )
        return ("home listings", self.home.pk, *found.values())

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
