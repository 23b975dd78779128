"""Which Site serves a request, answered from memory instead of one query per request.

Each process keeps a map of every Site (with its root page) and Wagtail's site root paths.
The caller passes the current "sites generation" from the shared cache (the page cache's
city-wide generation, bumped whenever a Site is saved or deleted, a page moves or a site's
root page changes its URL); a different generation, or a map older than MAX_AGE seconds,
reloads the map. Matching follows `wagtail.models.sites.get_site_for_hostname` exactly.
"""

import time
from bisect import insort
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS
from django.http.request import split_domain_port
from wagtail.models import Page, Site

# A safety net for caches that are not shared between processes (local memory).
MAX_AGE = 60


class IndexedRootPaths(list):
    """Wagtail's list of SiteRootPath, plus a lookup by URL-path prefix (O(depth), not O(sites))."""

    def __init__(self, root_paths):
        super().__init__(root_paths)
        self._by_root = {}
        for position, root_path in enumerate(self):
            self._by_root.setdefault(root_path.root_path, []).append((position, root_path))

    def relevant(self, url_path: str) -> tuple:
        """The same tuple as `Page._get_relevant_site_root_paths`, in the same order."""
        found = []
        end = url_path.find("/")
        while end != -1:
            for item in self._by_root.get(url_path[: end + 1], ()):
                insort(found, item, key=lambda pair: pair[0])
            end = url_path.find("/", end + 1)
        return tuple(root_path for _, root_path in found)


@dataclass
class SiteEntry:
    site_id: int
    hostname: str
    port: int
    is_default_site: bool
    site_values: tuple
    page_values: tuple

    def build(self) -> Site:
        """A fresh Site with its root page for one request (never shared: Wagtail caches on instances)."""
        site = Site.from_db(DEFAULT_DB_ALIAS, SITE_FIELDS, self.site_values)
        site.root_page = Page.from_db(DEFAULT_DB_ALIAS, PAGE_FIELDS, self.page_values)
        return site


SITE_FIELDS = [f.attname for f in Site._meta.concrete_fields]
PAGE_FIELDS = [f.attname for f in Page._meta.concrete_fields]


@dataclass
class SiteMap:
    generation: object
    entries: list = field(default_factory=list)
    root_paths: IndexedRootPaths = field(default_factory=lambda: IndexedRootPaths([]))
    loaded_at: float = field(default_factory=time.monotonic)

    def __post_init__(self):
        self._by_hostname = {}
        self.default = None
        for entry in self.entries:
            self._by_hostname.setdefault(entry.hostname, []).append(entry)
            if entry.is_default_site:
                self.default = entry

    @classmethod
    def load(cls, generation) -> "SiteMap":
        entries = []
        for site in Site.objects.select_related("root_page").order_by("pk"):
            entries.append(
                SiteEntry(
                    site_id=site.pk,
                    hostname=site.hostname,
                    port=site.port,
                    is_default_site=site.is_default_site,
                    site_values=tuple(getattr(site, name) for name in SITE_FIELDS),
                    page_values=tuple(getattr(site.root_page, name) for name in PAGE_FIELDS),
                )
            )
        return cls(generation, entries, IndexedRootPaths(Site.get_site_root_paths()))

    def is_current(self, generation) -> bool:
        return generation == self.generation and time.monotonic() - self.loaded_at < MAX_AGE

    def match(self, hostname: str, port: int) -> SiteEntry | None:
        """Wagtail's rules: hostname and port, then hostname of the default site, then a unique hostname."""
        named = self._by_hostname.get(hostname, [])
        for entry in named:
            if entry.port == port:
                return entry
        for entry in named:
            if entry.is_default_site:
                return entry
        if self.default is None:
            return named[0] if len(named) == 1 else None
        return named[0] if len(named) == 1 else self.default


_current: SiteMap | None = None


def site_map(generation) -> SiteMap:
    """This process's map of sites, reloaded if `generation` moved or the map is too old."""
    global _current
    if _current is None or not _current.is_current(generation):
        _current = SiteMap.load(generation)
    return _current


def cached_site_map() -> SiteMap | None:
    """The map as it is, possibly stale: only to guess which generation keys to fetch."""
    return _current


def site_for_request(request) -> Site | None:
    """What `Site.find_for_request` answers, from this process's map instead of a query.

    Remembered on the request where Wagtail keeps it, so later lookups (theme, settings) reuse it.
    """
    if not hasattr(request, "_wagtail_site"):
        from .page_cache import ALL_KEY  # page_cache imports this module

        entry = site_map(cache.get(ALL_KEY, 0)).match(split_domain_port(request._get_raw_host())[0], request.get_port())
        request._wagtail_site = entry.build() if entry else None
    return request._wagtail_site


def forget() -> None:
    global _current
    _current = None
