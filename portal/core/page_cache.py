"""A per-site cache of whole rendered pages for anonymous visitors, purged on publish.

Keys carry the site and that site's generation number; publishing, unpublishing, moving or
deleting a page bumps the generation of its site and of the default (city) site, whose pages
aggregate every community. Only anonymous GETs without messages or CSRF tokens are cached,
so nothing personal is ever shared between visitors.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

GENERATION_KEY = "pagecache:gen:{}"
ELDER_COOKIE = "elder_mode"


def _generation_keys(site_id):
    return [GENERATION_KEY.format(site_id), GENERATION_KEY.format("all")]


def cache_key(request, site_id) -> str | None:
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return None
    if request.GET.get("preview") or getattr(request, "is_preview", False):
        return None
    generations = cache.get_many(_generation_keys(site_id))
    variant = "|".join(
        [
            str(site_id),
            str(generations.get(GENERATION_KEY.format(site_id), 0)),
            str(generations.get(GENERATION_KEY.format("all"), 0)),
            getattr(request, "LANGUAGE_CODE", ""),
            request.COOKIES.get(ELDER_COOKIE, ""),
            request.get_full_path(),
        ]
    )
    return "pagecache:" + hashlib.sha1(variant.encode()).hexdigest()


def cached_response(key):
    hit = cache.get(key)
    if hit is None:
        return None
    content, content_type = hit
    response = HttpResponse(content, content_type=content_type)
    response["X-Page-Cache"] = "hit"
    return response


def store(request, key, response, timeout: int) -> None:
    """Store a rendered response unless it is personal (cookies, CSRF token, messages)."""
    if response.status_code != 200 or response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return
    if request.META.get("CSRF_COOKIE_USED") or timeout <= 0:
        return
    if getattr(request, "_messages", None) is not None and len(request._messages):
        return
    cache.set(key, (response.content, response["Content-Type"]), timeout)


def _bump(generation) -> None:
    key = GENERATION_KEY.format(generation)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)


def purge_site(site_id) -> None:
    """Invalidate every cached page of one site and of the default site, which aggregates them."""
    from wagtail.models import Site

    _bump(site_id)
    default_id = Site.objects.filter(is_default_site=True).values_list("pk", flat=True).first()
    if default_id is not None and default_id != site_id:
        _bump(default_id)


def purge_all() -> None:
    _bump("all")


class PageCacheMixin:
    """Mix into a Wagtail Page to serve anonymous GETs from the per-site page cache."""

    def page_cache_seconds(self, request) -> int:
        return settings.PORTAL_PAGE_CACHE_SECONDS

    def serve(self, request, *args, **kwargs):
        site = getattr(request, "_wagtail_site", None) or self.get_site()
        key = cache_key(request, site.pk if site else 0) if settings.PORTAL_PAGE_CACHE_SECONDS else None
        if key:
            hit = cached_response(key)
            if hit is not None:
                return hit
        response = super().serve(request, *args, **kwargs)
        if key:
            timeout = self.page_cache_seconds(request)
            if hasattr(response, "add_post_render_callback") and not response.is_rendered:
                response.add_post_render_callback(lambda r: store(request, key, r, timeout))
            else:
                store(request, key, response, timeout)
        return response
