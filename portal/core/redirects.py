"""Where to send a visitor after an action: the one check of a `next` parameter, used by every view."""

from django.utils.http import url_has_allowed_host_and_scheme

MAX_NEXT_LENGTH = 2000


def is_safe_local_url(target, request) -> bool:
    """A path on this site: starts with one slash, no scheme or host, no control character, not overlong."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if len(target) > MAX_NEXT_LENGTH or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return False
    return url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)


def safe_next(request, default="/", target=None) -> str:
    """`next` from the POST body or query string (or `target`) if it is a safe local URL, else `default`.

    Views redirect to the result with HttpResponseRedirect (never with a view name), so a bad value can
    only ever mean "go to the default", after the action the visitor asked for is done."""
    if target is None:
        target = request.POST.get("next") or request.GET.get("next")
    return target if is_safe_local_url(target, request) else default
