"""sitemap.xml per site: Wagtail's sitemap of the pages the requested site serves.

The city's page tree holds every community's pages (their Sites are rooted below the city's root), so
the city's sitemap leaves out the subtrees other Sites serve; links carry the served port and scheme.
"""

from django.db.models.functions import Substr
from wagtail.contrib.sitemaps import views as wagtail_sitemap_views
from wagtail.contrib.sitemaps.sitemap_generator import Sitemap
from wagtail.models import Site

from . import links


class SiteSitemap(Sitemap):
    def items(self):
        root = self.get_wagtail_site().root_page
        pages = root.get_descendants(inclusive=True).live().public()
        others = Site.objects.filter(root_page__path__startswith=root.path).exclude(root_page=root)
        by_depth = {}
        for path in others.values_list("root_page__path", flat=True):
            by_depth.setdefault(len(path), set()).add(path)
        for length, paths in by_depth.items():
            pages = pages.annotate(**{f"prefix_{length}": Substr("path", 1, length)}).exclude(
                **{f"prefix_{length}__in": paths}
            )
        return pages.order_by("path").defer_streamfields().specific()

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page, site, protocol)
        for url in urls:
            url["location"] = links.follow(url["location"], self.request)
        return urls


def sitemap(request):
    return wagtail_sitemap_views.sitemap(request, {"pages": SiteSitemap})
