"""Visitor preferences kept in cookies (elder-friendly mode); the language uses Django's set_language."""

from django.http import HttpResponseRedirect
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from .page_cache import ELDER_COOKIE
from .redirects import safe_next

ONE_YEAR = 365 * 24 * 3600


def elder_mode(request):
    """?on=1 or ?on=0, then back to where the visitor was."""
    response = HttpResponseRedirect(safe_next(request))
    turn_on = request.GET.get("on") == "1"
    if request.user.is_authenticated and request.user.elder_mode != turn_on:
        request.user.elder_mode = turn_on  # residents keep the choice on every device
        request.user.save(update_fields=["elder_mode"])
    if turn_on:
        response.set_cookie(ELDER_COOKIE, "1", max_age=ONE_YEAR, samesite="Lax", domain=_cookie_domain())
    else:
        response.delete_cookie(ELDER_COOKIE, domain=_cookie_domain())
    return response


def _cookie_domain():
    from django.conf import settings

    return settings.SESSION_COOKIE_DOMAIN


# Django's set_language, without the CSRF token: the form sits on every page, and pages are cached
# for anonymous visitors, so it cannot carry a per-visitor token. A forged switch of someone's
# display language harms nothing.
language = csrf_exempt(set_language)
