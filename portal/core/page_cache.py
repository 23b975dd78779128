"""A per-site cache of whole rendered pages for anonymous visitors, purged on publish.

Each site has a generation number, and so has the whole city; publishing, unpublishing,
moving or deleting a page bumps the generation of its site and of the default (city) site,
whose pages aggregate every community. A cached page remembers the generations it was
rendered under and is served only while they are still current. Only anonymous GETs without
messages or CSRF tokens are cached, so nothing personal is ever shared between visitors;
pages under a view restriction are never stored.

`portal.core.middleware.PageCacheMiddleware` answers hits before Wagtail routes the request:
it resolves the Site from the per-process site map (portal.core.sites) and fetches the two
generations and the page in one cache round trip, with no database query and no session.
Pages opt in with `PageCacheMixin`, which tells the middleware how long they may be kept.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from wagtail.models import PageViewRestriction, Site

from . import sites

GENERATION_KEY = "pagecache:gen:{}"
# The city-wide generation; it is also the generation of every process's site map.
ALL_KEY = GENERATION_KEY.format("all")
ELDER_COOKIE = "elder_mode"


def generation_key(site_id):
    return GENERATION_KEY.format(site_id)


def generations_of(values: dict, site_id) -> tuple:
    """(site generation, city generation) out of a get_many answer."""
    return values.get(generation_key(site_id), 0), values.get(ALL_KEY, 0)


def is_cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD") or request.GET.get("preview") or getattr(request, "is_preview", False):
        return False
    # Without a session cookie this is free; with one, the session and user are loaded once.
    return not request.user.is_authenticated


def cache_key(request, site_id) -> str:
    variant = "|".join(
        [
            str(site_id),
            getattr(request, "LANGUAGE_CODE", ""),
            request.COOKIES.get(ELDER_COOKIE, ""),
            request.get_full_path(),
        ]
    )
    return "pagecache:" + hashlib.sha1(variant.encode()).hexdigest()


def response_from(entry, generations) -> HttpResponse | None:
    """The cached response if `entry` was rendered under the current `generations`."""
    if entry is None or entry[0] != generations:
        return None
    response = HttpResponse(entry[1], content_type=entry[2])
    response["X-Page-Cache"] = "hit"
    return response


def store(request, key, generations, response, timeout: int) -> None:
    """Store a rendered response unless it is personal (cookies, CSRF token, messages)."""
    if response.status_code != 200 or response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return
    if request.META.get("CSRF_COOKIE_USED") or timeout <= 0 or getattr(response, "streaming", False):
        return
    if getattr(request, "_messages", None) is not None and len(request._messages):
        return
    cache.set(key, (generations, response.content, response["Content-Type"]), timeout)


def _bump(generation) -> None:
    key = GENERATION_KEY.format(generation)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)


def _bump_now_and_on_commit(generation) -> None:
    # Now, for readers in this transaction; again after commit, so that a page rendered from the
    # old rows by another process while this transaction was open is not kept.
    _bump(generation)
    transaction.on_commit(lambda: _bump(generation))


def purge_site(site_id) -> None:
    """Invalidate every cached page of one site and of the default site, which aggregates them."""

    _bump_now_and_on_commit(site_id)
    default_id = Site.objects.filter(is_default_site=True).values_list("pk", flat=True).first()
    if default_id is not None and default_id != site_id:
        _bump_now_and_on_commit(default_id)


def purge_all() -> None:
    """Invalidate every cached page and every process's site map."""
    _bump_now_and_on_commit("all")


class PageCacheMixin:
    """Mix into a Wagtail Page to serve anonymous GETs from the per-site page cache."""

    def page_cache_seconds(self, request) -> int:
        return settings.PORTAL_PAGE_CACHE_SECONDS

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if getattr(request, "_page_cache", None) and not self.get_view_restrictions().exists():
            request._page_cache_timeout = self.page_cache_seconds(request)
        return response

    def get_view_restrictions(self):
        # Two queries per page otherwise; the site map knows every page that may be restricted.
        checked = sites.serving_map()
        if checked is not None and not checked.may_be_restricted(self.path):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()

    def get_url(self, request=None, current_site=None):
        # Wagtail's get_url, except that it counts the sites once per process, not once per link.
        root_paths = self._get_site_root_paths(request)
        if not isinstance(root_paths, sites.IndexedRootPaths):
            return super().get_url(request, current_site)
        if current_site is None and request is not None:
            current_site = sites.site_for_request(request)
        url_parts = self.get_url_parts(request=request)
        if url_parts is None or url_parts[1] is None and url_parts[2] is None:
            return None  # not routable
        site_id, root_url, page_path = url_parts
        if (current_site is not None and site_id == current_site.id) or root_paths.site_count == 1:
            return page_path
        return root_url + page_path

    def _get_relevant_site_root_paths(self, cache_object=None):
        # Wagtail scans every site's root path for each link; with hundreds of sites that is the
        # largest cost of a listing. The indexed list (set by resolve_site) looks up prefixes.
        root_paths = self._get_site_root_paths(cache_object)
        if isinstance(root_paths, sites.IndexedRootPaths):
            return root_paths.relevant(self.url_path)
        return super()._get_relevant_site_root_paths(cache_object)
