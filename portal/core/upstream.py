"""A narrow guard for Wagtail's own admin URLs that take an id without checking it (see docs/upstream-reports.md).

Wagtail's generic choosers (snippets, images, documents), its bulk actions and its editing sessions
pass an id from the URL or the query string straight to the ORM: a non-number is a ValueError, a
number beyond 64 bits an OverflowError on SQLite, and a POST to a snippet chooser's create URL, which
has no creation form, an AttributeError. Until Wagtail checks them, those errors from those views only
(by URL name) become the 404 the view would give for an id that does not exist. Every other view's
errors still reach the error handler and the log."""

import logging

from django.http import Http404
from django.views.defaults import page_not_found

logger = logging.getLogger(__name__)

GUARDED_NAMESPACE_PREFIXES = ("wagtailsnippetchoosers_",)
GUARDED_NAMESPACES = {"wagtailimages_chooser", "wagtaildocs_chooser", "wagtailadmin_editing_sessions"}
GUARDED_VIEW_NAMES = {"wagtail_bulk_action", "wagtailadmin_choose_page_chosen_multiple"}
BAD_ID_ERRORS = (ValueError, OverflowError)


def is_guarded(request) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    namespace = match.namespace or ""
    return (
        match.view_name in GUARDED_VIEW_NAMES
        or namespace in GUARDED_NAMESPACES
        or namespace.startswith(GUARDED_NAMESPACE_PREFIXES)
    )


def is_missing_creation_form(request, exception) -> bool:
    """A snippet chooser's create URL has no creation form: Wagtail calls .is_valid() on None."""
    match = request.resolver_match
    return (
        isinstance(exception, AttributeError)
        and match.url_name == "create"
        and "'NoneType' object has no attribute 'is_valid'" in str(exception)
    )


class WagtailBadIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_guarded(request):
            return None
        if isinstance(exception, BAD_ID_ERRORS) or is_missing_creation_form(request, exception):
            logger.info("Bad id for %s refused with a 404: %s", request.resolver_match.view_name, exception)
            return page_not_found(request, Http404(str(exception)))
        return None
