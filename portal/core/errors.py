"""The project's answer to a request Django refuses before any view runs (handler400): a page that says why.

Django's own is "Bad Request (400)" whatever the cause; a worker who pasted a huge boundary into an admin form
should read that it was too large, and that nothing was saved."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


def reason_for(exception) -> str:
    if isinstance(exception, RequestDataTooBig):
        megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_000_000
        return _(
            "What you sent is larger than this site accepts in one form (%(size)s MB). Nothing was saved. "
            "Send a large text as a file, or send less at once."
        ) % {"size": f"{megabytes:g}"}
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return _("What you sent has more fields or files than this site accepts in one form. Nothing was saved.")
    return _("The request could not be understood. Nothing was saved.")


def bad_request(request, exception=None):
    # Rendered without the request: its context processors may ask the request what was refused (a Host
    # header Django does not allow raises again), which would turn this answer into a 500.
    return HttpResponseBadRequest(render_to_string("400.html", {"reason": reason_for(exception)}))
