"""Which Site serves a request, answered from memory instead of one query per request.

Each process keeps a map of every Site (with its root page) and Wagtail's site root paths.
The caller passes the current "sites generation" from the shared cache (the page cache's
city-wide generation, bumped whenever a Site is saved or deleted, a page moves or a site's
root page changes its URL); a different generation, or a map older than max_age() seconds,
reloads the map. Matching follows `wagtail.models.sites.get_site_for_hostname` exactly.

The map also holds what serving any page needs and only changes when the generation moves: each
site's root page in its specific type (publishing a site's root bumps the city generation), its
menu (the live in-menu children of its root: publishing, unpublishing or deleting one bumps it
too), its site settings (saving them bumps it) and the paths of the pages that may carry a view
restriction (saving or deleting a restriction bumps it), so that a page outside them needs no
restriction query.

It also holds each site's community (the row linked one-to-one to the Site, found through the relation,
since portal imports nothing from `communities`): `community_for_request` is the one way a view finds the
community whose site serves a request, without a query. Saving a community bumps the generation.
"""

import datetime
import decimal
import time
import uuid
from bisect import insort
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import DEFAULT_DB_ALIAS
from django.http.request import split_domain_port
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.contrib.settings.registry import registry as settings_registry
from wagtail.models import Page, PageViewRestriction, Site


def max_age() -> float:
    """Seconds a per-process map is believed without its generation moving: a safety net for caches that
    are not shared between processes (local memory). settings.PORTAL_PROCESS_MAP_MAX_AGE."""
    return settings.PORTAL_PROCESS_MAP_MAX_AGE


# Values `memo` keeps a site (its chrome is a few; the forum's posts many).
MEMO_MAX_KEPT = 2000


class IndexedRootPaths(list):
    """Wagtail's list of SiteRootPath, plus a lookup by URL-path prefix (O(depth), not O(sites))."""

    def __init__(self, root_paths):
        super().__init__(root_paths)
        self.site_count = len({root_path.site_id for root_path in self})
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
    # The root page in its specific type, when all its values are immutable (safe to share).
    root_class: type | None = None
    root_values: tuple = ()
    # (slug, title, url_path, path) of the root's live in-menu children, in tree order.
    menu: tuple = ()
    # {slug: (page id, content type id, title, url_path, path)} of every child of the root (live or not): routing's
    # first step, and the breadcrumbs' section.
    children: dict = field(default_factory=dict)
    # {site setting model: its row's (field names, values)} for the settings this site has.
    settings: dict = field(default_factory=dict)
    # The site's community as (field names, values) (empty: the site has none, e.g. the city's).
    community_values: tuple = ()
    # {name: value} of the facts registered with `register_site_fact` (absent: the loader had none).
    facts: dict = field(default_factory=dict)
    # What `memo` derived from this entry in this process (dropped with the map when the generation moves).
    memo: dict = field(default_factory=dict, repr=False)

    def build(self) -> Site:
        """A fresh Site with its root page and community for one request (never shared: Wagtail and Django
        cache on instances). `site.community` answers without a query, or raises DoesNotExist."""
        site = Site.from_db(DEFAULT_DB_ALIAS, SITE_FIELDS, self.site_values)
        if self.root_class is not None:
            fields = [f.attname for f in self.root_class._meta.concrete_fields]
            site.root_page = self.root_class.from_db(DEFAULT_DB_ALIAS, fields, self.root_values)
        else:
            site.root_page = Page.from_db(DEFAULT_DB_ALIAS, PAGE_FIELDS, self.page_values)
        relation = community_relation()
        if relation is not None:
            if self.community_values:
                community = relation.related_model.from_db(DEFAULT_DB_ALIAS, *self.community_values)
                setattr(community, relation.field.name, site)  # caches both directions
            else:
                relation.set_cached_value(site, None)  # site.community raises DoesNotExist, no query
        return site

    def attach_settings(self, request, site: Site) -> None:
        """Give the request this site's settings as `BaseSiteSetting.for_request` would fetch them."""
        for model, (names, values) in self.settings.items():
            instance = model.from_db(DEFAULT_DB_ALIAS, names, values)
            instance.site, instance._request = site, request
            setattr(request, model.get_cache_attr_name(), instance)


SITE_FIELDS = [f.attname for f in Site._meta.concrete_fields]


def _attnames(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def community_relation():
    """The one-to-one relation from a Site to its community (`site.community`), or None without one."""
    try:
        relation = Site._meta.get_field("community")
    except FieldDoesNotExist:
        return None
    return relation if relation.one_to_one and relation.auto_created else None


def _shareable(names, row) -> tuple[list, tuple]:
    """(field names, values) of a row's immutable values, safe to share between requests; the others (a
    JSONField's dict, say) are left out, so an instance built from them has those fields deferred: loaded
    by a query only where they are used (a community's boundary on its map), not on every request."""
    kept = [(name, value) for name, value in zip(names, row, strict=True) if isinstance(value, IMMUTABLE)]
    return [name for name, _ in kept], tuple(value for _, value in kept)


def _communities(sites) -> dict:
    """{site id: its community's shareable (field names, values)}, in one query."""
    relation = community_relation()
    if relation is None:
        return {}
    model, link = relation.related_model, relation.field.attname
    names = _attnames(model)
    rows = model._default_manager.filter(**{f"{link}__in": [site.pk for site in sites]}).values_list(*names)
    return {row[names.index(link)]: _shareable(names, row) for row in rows}


PAGE_FIELDS = [f.attname for f in Page._meta.concrete_fields]
IMMUTABLE = (str, int, float, bool, type(None), datetime.date, datetime.time, decimal.Decimal, uuid.UUID)


def _specific_values(page) -> tuple[type | None, tuple]:
    values = tuple(getattr(page, f.attname) for f in type(page)._meta.concrete_fields)
    if all(isinstance(value, IMMUTABLE) for value in values):
        return type(page), values
    return None, ()  # e.g. a StreamField: Wagtail fetches the specific page per request instead


def _menus_and_children(sites) -> tuple[dict, dict]:
    """({site id: its menu}, {site id: {slug: (page id, content type id, title, url_path, path)} of every child
    of its root}), from one query over the depths just below the sites' roots."""
    site_of_root = {site.root_page.path: site.pk for site in sites}
    menus = {site.pk: [] for site in sites}
    children = {site.pk: {} for site in sites}
    depths = {site.root_page.depth + 1 for site in sites}
    fields = ("slug", "title", "url_path", "path", "pk", "content_type_id", "live", "show_in_menus")
    for slug, title, url_path, path, pk, content_type_id, live, in_menu in (
        Page.objects.filter(depth__in=depths).order_by("path").values_list(*fields)
    ):
        site_id = site_of_root.get(path[: -Page.steplen])
        if site_id is None:
            continue
        children[site_id][slug] = (pk, content_type_id, title, url_path, path)
        if live and in_menu:
            menus[site_id].append((slug, title, url_path, path))
    return {site_id: tuple(menu) for site_id, menu in menus.items()}, children


def _site_settings() -> dict:
    """{site id: {site setting model: its shareable (field names, values)}} for every registered site setting."""
    found = {}
    for model in settings_registry:
        if not issubclass(model, BaseSiteSetting):
            continue
        names = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.values_list(*names):
            found.setdefault(row[names.index("site_id")], {})[model] = _shareable(names, row)
    return found


def _maybe_restricted_paths() -> frozenset:
    """Paths of pages with a view restriction, and of aliases whose source has one.

    Wagtail checks a page's and its ancestors' restrictions, taking an alias's from its source;
    a page none of whose ancestors (or itself) is in this set has none. It may hold more (an
    alias that stopped being one): those pages get Wagtail's own check.
    """
    ids = frontier = set(PageViewRestriction.objects.values_list("page_id", flat=True))
    while frontier:
        frontier = set(Page.objects.filter(alias_of_id__in=frontier).values_list("pk", flat=True)) - ids
        ids = ids | frontier
    return frozenset(Page.objects.filter(pk__in=ids).values_list("path", flat=True))


# Facts about a site that other apps keep in the map: {name: loader(sites) -> {site id: value}}.
_fact_loaders: dict = {}


def register_site_fact(name: str, loader) -> None:
    """Keep `loader(sites)`'s {site id: immutable value} in every process's map, read per request with
    `site_fact`. Whoever registers one bumps the city generation (`page_cache.purge_all`) whenever what
    the loader reads changes, as a saved Site does."""
    _fact_loaders[name] = loader


def _facts(sites) -> dict:
    found = {}
    for name, loader in _fact_loaders.items():
        for site_id, value in loader(sites).items():
            found.setdefault(site_id, {})[name] = value
    return found


@dataclass
class SiteMap:
    generation: object
    entries: list = field(default_factory=list)
    root_paths: IndexedRootPaths = field(default_factory=lambda: IndexedRootPaths([]))
    maybe_restricted: frozenset = frozenset()
    loaded_at: float = field(default_factory=time.monotonic)

    def __post_init__(self):
        self._by_hostname = {}
        self.by_id = {entry.site_id: entry for entry in self.entries}
        self.default = None
        for entry in self.entries:
            self._by_hostname.setdefault(entry.hostname, []).append(entry)
            if entry.is_default_site:
                self.default = entry

    @classmethod
    def load(cls, generation) -> "SiteMap":
        sites = list(Site.objects.select_related("root_page").order_by("pk"))
        specific_roots = {page.pk: page for page in Page.objects.filter(sites_rooted_here__isnull=False).specific()}
        (menus, children), site_settings = _menus_and_children(sites), _site_settings()
        communities, facts = _communities(sites), _facts(sites)
        entries = []
        for site in sites:
            root_class, root_values = _specific_values(specific_roots[site.root_page_id])
            entries.append(
                SiteEntry(
                    site_id=site.pk,
                    hostname=site.hostname,
                    port=site.port,
                    is_default_site=site.is_default_site,
                    site_values=tuple(getattr(site, name) for name in SITE_FIELDS),
                    page_values=tuple(getattr(site.root_page, name) for name in PAGE_FIELDS),
                    root_class=root_class,
                    root_values=root_values,
                    menu=menus[site.pk],
                    children=children[site.pk],
                    settings=site_settings.get(site.pk, {}),
                    community_values=communities.get(site.pk, ()),
                    facts=facts.get(site.pk, {}),
                )
            )
        return cls(generation, entries, IndexedRootPaths(Site.get_site_root_paths()), _maybe_restricted_paths())

    def may_be_restricted(self, path: str) -> bool:
        """Whether the page at `path` or one of its ancestors may carry a view restriction."""
        step = Page.steplen
        return any(path[:end] in self.maybe_restricted for end in range(step, len(path) + 1, step))

    def is_current(self, generation) -> bool:
        return generation == self.generation and time.monotonic() - self.loaded_at < max_age()

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
# The map the middleware checked against the shared generation for the request being served.
_serving: ContextVar[SiteMap | None] = ContextVar("portal_serving_site_map", default=None)


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

    Remembered on the request where Wagtail keeps it, so later lookups (theme, settings) reuse it; the
    site's settings and the indexed root paths are given to the request too, as the middleware does for
    pages, so that views other than Wagtail's (反光镜, forums, deliberations) query neither.
    """
    if not hasattr(request, "_wagtail_site"):
        from .page_cache import ALL_KEY  # page_cache imports this module

        current = site_map(cache.get(ALL_KEY, 0))
        entry = current.match(split_domain_port(request._get_raw_host())[0], request.get_port())
        attach_site(request, entry)
        request._wagtail_cached_site_root_paths = current.root_paths
    return request._wagtail_site


def url_for_path(url_path: str, request) -> str | None:
    """The link to the page at `url_path` from `request`, as a portal page's `get_url(request)` gives it (on the
    deepest site holding it; local on the request's own site), from its url_path alone. For long listings of
    pages that need nothing else (the city home's districts and streets): making a page object for each link
    cost more than the rest of that page at 700 communities."""
    from django.urls import reverse

    site_for_request(request)
    root_paths = getattr(request, "_wagtail_cached_site_root_paths", None)
    if not isinstance(root_paths, IndexedRootPaths):
        root_paths = IndexedRootPaths(Site.get_site_root_paths())
    relevant = root_paths.relevant(url_path)
    if not relevant:
        return None  # not routable
    deepest = max(len(root_path.root_path) for root_path in relevant)
    site_id, root_path, root_url, _language = next(r for r in relevant if len(r.root_path) == deepest)
    page_path = reverse("wagtail_serve", args=(url_path[len(root_path) :],))
    current = request._wagtail_site
    if (current is not None and site_id == current.id) or root_paths.site_count == 1:
        return page_path
    return root_url + page_path


def attach_site(request, entry: SiteEntry | None) -> None:
    """Give `request` the site of `entry` (a fresh Site, see SiteEntry.build) and that site's settings, where
    Wagtail looks for them (`Site.find_for_request`, `BaseSiteSetting.for_request`): neither costs a query."""
    request._wagtail_site = entry.build() if entry else None
    request._portal_site_entry = entry
    if entry:
        entry.attach_settings(request, request._wagtail_site)


def entry_for_request(request) -> SiteEntry | None:
    """The map's entry for the site serving `request` (checked against the generation for this request)."""
    site_for_request(request)
    return getattr(request, "_portal_site_entry", None)


def memo(request, key, compute):
    """`compute()`, kept in this process for the site serving `request` until its map is reloaded (the
    generation moved: a page, Site, setting or community changed; or max_age() passed).

    Only for what depends on nothing but the site's map entry and `key` (the caller puts the language, the
    visitor's mode and so on in `key`): the chrome every page shares (`{% sitewide %}`), its breadcrumbs
    above a page, its sections, the forum's posts (`{% sitewide with %}`, keyed by what each shows). Nothing of
    a user's may go in. Without a site, computed every time. At most MEMO_MAX_KEPT values a site: past that
    the site's memo starts again (a crawler reading every post of a forum does not grow it without end)."""
    entry = entry_for_request(request) if request is not None else None
    if entry is None:
        return compute()
    try:
        return entry.memo[key]
    except KeyError:
        value = compute()
        if len(entry.memo) >= MEMO_MAX_KEPT:
            entry.memo.clear()
        entry.memo[key] = value
        return value


def community_for_request(request):
    """The community whose site serves `request`, or None (the city's site, an unknown host).

    The one way a view finds its community from a request: from this process's site map, no query.
    """
    site = site_for_request(request)
    if site is None:
        return None
    try:
        return site.community
    except (ObjectDoesNotExist, AttributeError):
        return None


def site_fact(request, name: str, default=None):
    """The fact `name` (`register_site_fact`) of the site serving `request`, from the map: no query."""
    site = site_for_request(request)
    entry = _current.by_id.get(site.pk) if site is not None and _current is not None else None
    return entry.facts.get(name, default) if entry is not None else default


def community_for_page(request, page):
    """The request's community (`community_for_request`) when `page` is in its site's tree, else None: a
    page served on its own community's site finds its community without a query."""
    site = site_for_request(request) if request is not None else None
    if site is None or not page.path.startswith(site.root_page.path):
        return None
    return community_for_request(request)


def forget() -> None:
    global _current
    _current = None


def serving_map() -> SiteMap | None:
    """The map checked for the request being served, or None outside a request the middleware saw."""
    return _serving.get()


def root_child_type(request, page, slug: str):
    """(id, model) of the child of `page` at `slug`, when `page` is the root of the site serving `request` and
    the map checked for this request knows the child; None otherwise (route as usual).

    The map holds every child of each site's root by slug: publishing, unpublishing, moving, renaming or
    deleting one moves the generation (portal.core.signals), so a slug it knows is current; one it does not
    know (a page added since) is looked up in the database."""
    site, entry = getattr(request, "_wagtail_site", None), getattr(request, "_portal_site_entry", None)
    if site is None or entry is None or site.root_page_id != page.pk:
        return None
    found = entry.children.get(slug)
    if found is None:
        return None
    from django.contrib.contenttypes.models import ContentType

    model = ContentType.objects.get_for_id(found[1]).model_class()
    return None if model is None else (found[0], model)


def child_of_root(request, page, slug: str):
    """The child of `page` at `slug` in its specific type with one query, when `root_child_type` knows it."""
    known = root_child_type(request, page, slug)
    if known is None:
        return None
    child = known[1]._default_manager.filter(pk=known[0]).first()  # None: deleted in another process just now
    if child is not None:
        child._cached_parent_obj = page
    return child


def serve_with(site_map_checked: SiteMap | None):
    """Mark the map as current for this request; returns the token to pass to `done_serving`."""
    return _serving.set(site_map_checked)


def done_serving(token) -> None:
    _serving.reset(token)
