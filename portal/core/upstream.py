"""A narrow guard for Wagtail's own admin URLs that take an id without checking it (see docs/upstream-reports.md).

Wagtail's generic choosers (snippets, images, documents), its bulk actions and its editing sessions
pass an id from the URL or the query string straight to the ORM: a non-number is a ValueError, a
number beyond 64 bits an OverflowError on SQLite, and a POST to a snippet chooser's create URL, which
has no creation form, an AttributeError. Until Wagtail checks them, those errors from those views only
(by URL name) become the 404 the view would give for an id that does not exist. Every other view's
errors still reach the error handler and the log."""

import logging

from django.http import Http404, HttpResponseBadRequest
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from wagtail.search.backends.base import FilterFieldError

logger = logging.getLogger(__name__)

GUARDED_NAMESPACE_PREFIXES = ("wagtailsnippetchoosers_",)
GUARDED_NAMESPACES = {
    "wagtailimages_chooser",
    "wagtaildocs_chooser",
    "wagtailadmin_editing_sessions",
    "wagtailadmin_api:pages",
    "wagtailadmin_api:images",
    "wagtailadmin_api:documents",
}
# The link choosers put ?parent_page_id= into a reverse() (NoReverseMatch) and read a missing POST field.
LINK_CHOOSERS = {
    "wagtailadmin_choose_page_external_link",
    "wagtailadmin_choose_page_phone_link",
    "wagtailadmin_choose_page_email_link",
    "wagtailadmin_choose_page_anchor_link",
}
GUARDED_VIEW_NAMES = {"wagtail_bulk_action", "wagtailadmin_choose_page_chosen_multiple", *LINK_CHOOSERS}
BAD_ID_ERRORS = (ValueError, OverflowError, NoReverseMatch)
MISREAD_INPUT_VIEWS = {"wagtailadmin_login", "wagtailredirects:process_import"}
MISREAD_INPUT_ERRORS = (NoReverseMatch, KeyError)


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
    if not isinstance(exception, AttributeError) or "'NoneType' object has no attribute" not in str(exception):
        return False
    return match.url_name == "create" or match.view_name in LINK_CHOOSERS


class WagtailBadIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:  # no URL of the portal or of Wagtail has a NUL (PostgreSQL text refuses it)
            return HttpResponseBadRequest(_("This request is missing a field or carries a bad address."))
        return self.get_response(request)

    def process_exception(self, request, exception):
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in MISREAD_INPUT_VIEWS and isinstance(exception, MISREAD_INPUT_ERRORS):
            # Wagtail's login view reverse()s a logged-in user's ?next=; its redirect import reads a missing field.
            logger.info("Bad input for %s refused with a 400: %r", match.view_name, exception)
            return HttpResponseBadRequest(_("This request is missing a field or carries a bad address."))
        if not is_guarded(request):
            return None
        if isinstance(exception, FilterFieldError):  # the image chooser: a search narrowed by ?tag= (see docs)
            logger.info("Bad filter for %s refused with a 400: %s", request.resolver_match.view_name, exception)
            return HttpResponseBadRequest(_("This request is missing a field or carries a bad address."))
        if isinstance(exception, BAD_ID_ERRORS) or is_missing_creation_form(request, exception):
            logger.info("Bad id for %s refused with a 404: %s", request.resolver_match.view_name, exception)
            return page_not_found(request, Http404(str(exception)))
        return None
