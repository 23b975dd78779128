"""Serve pages from the per-site page cache before Wagtail routes them, and store them after."""

from django.conf import settings
from django.core.cache import cache
from django.http.request import split_domain_port
from wagtail.views import serve as wagtail_serve

from . import sites
from .page_cache import ALL_KEY, cache_key, generation_key, generations_of, is_cacheable_request, response_from, store


def _page_keys(request, entry):
    key = cache_key(request, entry.site_id)
    return key, [generation_key(entry.site_id), key]


class PageCacheMiddleware:
    """Serve cached pages before routing; store what `PageCacheMixin` pages allow. Put it last.

    For every request Wagtail serves, it also resolves the Site from the site map (no query),
    sets `request._wagtail_site` and hands Wagtail the indexed site root paths, so building
    page URLs neither unpickles nor scans the root paths of every site.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = sites.serve_with(None)
        try:
            response = self.get_response(request)
        finally:
            sites.done_serving(token)
        pending = getattr(request, "_page_cache", None)
        timeout = getattr(request, "_page_cache_timeout", 0)
        if pending and timeout:
            key, generations = pending
            store(request, key, generations, response, timeout)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is not wagtail_serve:
            return None
        enabled = settings.PORTAL_PAGE_CACHE_SECONDS > 0 and is_cacheable_request(request)
        hostname, port = split_domain_port(request._get_raw_host())[0], request.get_port()

        # One round trip: the city generation (is the site map current?) and, for the site the
        # map knows, its generation and the cached page.
        known = sites.cached_site_map()
        guess = known.match(hostname, port) if known else None
        keys = [ALL_KEY]
        if enabled and guess:
            keys += _page_keys(request, guess)[1]
        values = cache.get_many(keys)
        current = sites.site_map(values.get(ALL_KEY, 0))
        entry = current.match(hostname, port)
        if enabled and entry is not None:
            key, page_keys = _page_keys(request, entry)
            if guess is None or guess.site_id != entry.site_id:
                values.update(cache.get_many(page_keys))
            generations = generations_of(values, entry.site_id)
            hit = response_from(values.get(key), generations)
            if hit is not None:
                return hit
            request._page_cache = (key, generations)
        # Wagtail will serve the page: give it the Site and the indexed root paths.
        sites.attach_site(request, entry)
        request._wagtail_cached_site_root_paths = current.root_paths
        sites.serve_with(current)  # checked against the shared generation just now
        return None
