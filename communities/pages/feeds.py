"""RSS 2.0 and Atom feeds of a site's notices and news (Django's syndication framework).

A community site's feeds hold its own notices (those in force) and news; the city site's hold the
latest of every community, each titled with its community's name. Links carry the served port.
"""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from communities.news.models import NewsArticlePage
from communities.notices.models import NoticePage
from communities.regions.models import Community
from portal.core import links, sites
from portal.core.tree import below

ITEMS = 30


class SiteFeed(Feed):
    kind = ""

    def get_object(self, request, *args, **kwargs):
        site = sites.site_for_request(request)
        if site is None:
            raise Http404(_("No site is served on this host."))
        self.request, self.site = request, site
        self.community = sites.community_for_request(request)
        return site

    def pages(self, site):
        raise NotImplementedError

    def items(self, site):
        pages = list(self.pages(site.root_page)[:ITEMS])
        if self.community is None:  # the city: name each item's community
            roots = {c.root_page.path: c.name for c in Community.objects.select_related("root_page")}
            for page in pages:
                page.community_name = next((name for path, name in roots.items() if page.path.startswith(path)), "")
        return pages

    def title(self, site):
        return f"{self.label()} · {site.site_name}"

    def link(self, site):
        return links.site_url(site, "/", self.request)

    def item_title(self, page):
        name = getattr(page, "community_name", "")
        return f"【{name}】{page.title}" if name else page.title

    def item_link(self, page):
        return links.follow(page.get_full_url(self.request), self.request)

    def item_pubdate(self, page):
        return page.first_published_at

    def item_updateddate(self, page):
        return page.last_published_at


class NoticeFeed(SiteFeed):
    def label(self):
        return _("Notices")

    def description(self, site):
        return _("Notices in force on %(site)s") % {"site": site.site_name}

    def pages(self, root):
        return NoticePage.objects.live().public().current().filter(below(root)).order_by("-first_published_at")

    def item_description(self, page):
        return page.summary or strip_tags(page.body)[:200]


class NewsFeed(SiteFeed):
    def label(self):
        return _("News")

    def description(self, site):
        return _("News from %(site)s") % {"site": site.site_name}

    def pages(self, root):
        return NewsArticlePage.objects.live().public().filter(below(root)).order_by("-date", "-first_published_at")

    def item_description(self, page):
        return page.intro or strip_tags(page.body)[:200]


class AtomMixin:
    feed_type = Atom1Feed

    def subtitle(self, site):
        return self.description(site)


class NoticeAtomFeed(AtomMixin, NoticeFeed):
    pass


class NewsAtomFeed(AtomMixin, NewsFeed):
    pass
