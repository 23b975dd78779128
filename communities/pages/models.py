"""The city portal home, district and street pages, and each community's home page."""

from django.db import models
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult

from portal.core.page_cache import PageCacheMixin
from portal.core.tree import below

# What a listing (communities/_item_list.html) shows of an item, and what its link needs; the
# rest of an item's columns (its body above all) would be fetched and built for nothing.
LISTED_FIELDS = ("title", "url_path", "path", "depth", "first_published_at")


class PortalPage(PageCacheMixin, Page):
    """Base of every public page type: served from the per-site page cache to visitors."""

    # What listings (communities/_item_list.html) ask of every item. Page types without such a
    # field answer here; a missing attribute costs the template engine a dir() of the whole page.
    pinned = False
    date = None
    start = None

    class Meta:
        abstract = True

    def _get_relevant_site_root_paths(self, cache_object=None):
        # Community sites sit inside the city site's tree; a page belongs only to the deepest
        # site holding it, so its links always point at its own community's host.
        paths = super()._get_relevant_site_root_paths(cache_object)
        if len(paths) < 2:
            return paths
        deepest = max(len(p.root_path) for p in paths)
        return tuple(p for p in paths if len(p.root_path) == deepest)


class CityHomePage(PortalPage):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["community_pages.DistrictPage"]
    max_count = 1
    template = "communities/city_home_page.html"

    class Meta:
        verbose_name = _("city portal home")

    def get_context(self, request, *args, **kwargs):
        from communities.notices.models import NoticePage
        from communities.regions.models import Region

        context = super().get_context(request, *args, **kwargs)
        context["districts"] = (
            Region.objects.filter(kind=Region.Kind.DISTRICT)
            .select_related("page")
            .prefetch_related("children__page", "children__communities__site")
            .order_by("name")
        )
        context["notices"] = NoticePage.objects.live().current().order_by("-pinned", "-first_published_at")[:10]
        return context

    def page_cache_seconds(self, request):
        from communities.notices.models import NoticePage

        return NoticePage.objects.seconds_until_listings_change(super().page_cache_seconds(request))


class DistrictPage(PortalPage):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["community_pages.CityHomePage"]
    subpage_types = ["community_pages.StreetPage"]
    template = "communities/district_page.html"

    class Meta:
        verbose_name = _("district page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        region = getattr(self, "region", None)
        context["streets"] = (
            region.children.select_related("page").prefetch_related("communities__site").order_by("name")
            if region
            else []
        )
        return context


class StreetPage(PortalPage):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["community_pages.DistrictPage"]
    subpage_types = ["community_pages.CommunityHomePage"]
    template = "communities/street_page.html"

    class Meta:
        verbose_name = _("street page")

    def get_context(self, request, *args, **kwargs):
        from communities.news.models import NewsArticlePage
        from communities.notices.models import NoticePage

        context = super().get_context(request, *args, **kwargs)
        region = getattr(self, "region", None)
        context["communities"] = region.communities.select_related("site").order_by("name") if region else []
        context["notices"] = (
            NoticePage.objects.live().current().filter(below(self)).order_by("-pinned", "-first_published_at")[:8]
        )
        context["news"] = NewsArticlePage.objects.live().filter(below(self)).order_by("-date", "-pk")[:8]
        return context

    def page_cache_seconds(self, request):
        from communities.notices.models import NoticePage

        return NoticePage.objects.seconds_until_listings_change(super().page_cache_seconds(request))


class CommunityHomePage(RoutablePageMixin, PortalPage):
    """The home of one community's site."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["community_pages.StreetPage"]
    subpage_types = [
        "community_notices.NoticeIndexPage",
        "community_news.NewsIndexPage",
        "community_events.EventIndexPage",
        "community_services.ServiceDirectoryPage",
        "polls.PollIndexPage",
        "community_organisations.OrganisationIndexPage",
        "forums.ForumPage",
    ]
    template = "communities/community_home_page.html"

    class Meta:
        verbose_name = _("community home")

    def route(self, request, path_components):
        site = Site.find_for_request(request)
        if site is not None and site.root_page_id != self.pk:
            # Reached through the city site's tree: send the visitor to the community's own host.
            return RouteResult(self, args=(self.redirect_to_own_host, [path_components], {}))
        return super().route(request, path_components)

    def redirect_to_own_host(self, request, path_components):
        url = self.get_full_url(request) + "".join(f"{c}/" for c in path_components)
        if request.META.get("QUERY_STRING"):
            url += "?" + request.META["QUERY_STRING"]
        return HttpResponsePermanentRedirect(url)

    def add_standard_sections(self):
        """The sections every community starts with, in the order of its navigation."""
        from communities.events.models import EventIndexPage
        from communities.news.models import NewsIndexPage
        from communities.notices.models import NoticeIndexPage
        from communities.organisations.models import OrganisationIndexPage
        from communities.services.models import ServiceDirectoryPage
        from participation.polls.models import PollIndexPage

        for page_class, title, slug in [
            (NoticeIndexPage, gettext("Notices"), "notices"),
            (NewsIndexPage, gettext("Community news"), "news"),
            (EventIndexPage, gettext("Events"), "events"),
            (ServiceDirectoryPage, gettext("Services"), "services"),
            (PollIndexPage, gettext("Polls"), "polls"),
            (OrganisationIndexPage, gettext("Social organisations"), "organisations"),
        ]:
            self.add_child(instance=page_class(title=title, slug=slug, show_in_menus=True))

    def get_context(self, request, *args, **kwargs):
        from communities.events.models import EventPage
        from communities.news.models import NewsArticlePage
        from communities.notices.models import NoticePage

        context = super().get_context(request, *args, **kwargs)
        notices = NoticePage.objects.live().current().filter(below(self)).only(*LISTED_FIELDS, "pinned")
        news = NewsArticlePage.objects.live().filter(below(self)).only(*LISTED_FIELDS, "date")
        events = EventPage.objects.live().filter(below(self), end__gte=timezone.now()).only(*LISTED_FIELDS, "start")
        context["notices"] = notices.order_by("-pinned", "-first_published_at")[:6]
        context["news"] = news.order_by("-date", "-pk")[:5]
        context["events"] = events.order_by("start")[:4]
        return context

    def page_cache_seconds(self, request):
        from communities.notices.models import NoticePage

        return NoticePage.objects.seconds_until_listings_change(super().page_cache_seconds(request), within=self)

    def tagged_pages(self, tag_slug):
        """Live news, notices and events of this community carrying a tag."""
        from communities.events.models import EventPage
        from communities.news.models import NewsArticlePage
        from communities.notices.models import NoticePage

        notices = NoticePage.objects.live().current().filter(below(self)).filter(tags__slug=tag_slug)
        news = NewsArticlePage.objects.live().filter(below(self)).filter(tags__slug=tag_slug)
        events = EventPage.objects.live().filter(below(self)).filter(tags__slug=tag_slug)
        return list(notices[:50]), list(news[:50]), list(events[:50])

    @path("")
    def home(self, request):
        # Routable pages render their index route directly; go through the page cache.
        return PageCacheMixin.serve(self, request)

    @path("tags/")
    def tag_index(self, request):
        in_this_community = models.Q()
        for relation in (
            "community_news_newstag_items",
            "community_notices_noticetag_items",
            "community_events_eventtag_items",
        ):
            in_this_community |= models.Q(
                **{
                    f"{relation}__content_object__path__startswith": self.path,
                    f"{relation}__content_object__live": True,
                }
            )
        tags = Tag.objects.filter(in_this_community).distinct().order_by("name")
        return render(request, "communities/tag_index.html", {"page": self, "tags": tags})

    @path("tags/<str:tag>/")  # taggit keeps Chinese in slugs, which <slug:> rejects
    def tag_listing(self, request, tag):
        tag_obj = Tag.objects.filter(slug=tag).first()
        if tag_obj is None:
            raise Http404
        notices, news, events = self.tagged_pages(tag)
        return render(
            request,
            "communities/tag_listing.html",
            {"page": self, "tag": tag_obj, "notices": notices, "news": news, "events": events},
        )
