"""The one way to build a link from one of the portal's sites to another.

A link between sites (the city portal and the community sites, a notification, the admin's
"view live", the moderation queue) carries the scheme and port the portal is served on:

* inside a request to one of the portal's hosts, the request's own scheme and port (the port of the
  Host header the browser sent, so `make run PORT=8101` links to :8101 even behind a proxy);
* outside a request (a task, a signal, a management command), PORTAL_SITE_SCHEME and
  PORTAL_SITE_PORT, which `make run` sets from its PORT.

Links stored earlier (a notification recorded while the portal ran on another port) are moved onto
the current scheme and port when shown (`follow`).
"""

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http.request import split_domain_port
from django.urls import get_script_prefix, get_urlconf, reverse

DEFAULT_PORTS = {"http": 80, "https": 443}


def is_portal_host(hostname: str) -> bool:
    """Whether `hostname` (without a port) is the city's host or one of its community hosts."""
    base = settings.PORTAL_BASE_DOMAIN
    hostname = (hostname or "").lower().rstrip(".")
    return bool(hostname) and (hostname == base or hostname.endswith("." + base))


def scheme_and_port(request=None) -> tuple[str, int]:
    """The scheme and port links between sites carry: the request's, or the configured ones."""
    if request is not None:
        try:
            hostname, port = split_domain_port(request.get_host())
        except Exception:  # DisallowedHost: links then follow the configuration
            hostname, port = "", ""
        if is_portal_host(hostname):
            scheme = request.scheme
            return scheme, int(port) if port else DEFAULT_PORTS.get(scheme, 80)
    scheme = getattr(settings, "PORTAL_SITE_SCHEME", "") or "http"
    return scheme, int(getattr(settings, "PORTAL_SITE_PORT", DEFAULT_PORTS.get(scheme, 80)))


def origin(hostname: str, request=None) -> str:
    """`scheme://hostname[:port]` for one of the portal's hosts, without a trailing slash."""
    scheme, port = scheme_and_port(request)
    suffix = "" if DEFAULT_PORTS.get(scheme) == port else f":{port}"
    return f"{scheme}://{hostname}{suffix}"


def site_url(site, path: str = "", request=None) -> str:
    """An absolute link to `path` on a Wagtail Site (or on anything with a `.site`, such as a community)."""
    site = getattr(site, "site", site)
    if path and not path.startswith("/"):
        path = "/" + path
    return origin(site.hostname, request) + path


def follow(url: str, request=None) -> str:
    """A stored absolute link on one of the portal's hosts, moved onto the current scheme and port.

    Relative links and links to other hosts are returned as they are.
    """
    if not url:
        return url
    parts = urlsplit(url)
    if not parts.scheme or not is_portal_host(parts.hostname or ""):
        return url
    return urlunsplit(urlsplit(origin(parts.hostname, request) + "/")[:2] + parts[2:])


# Arguments no URL holds: reversed once in place of the ids, then replaced by them.
_ID_MARKS = tuple(str(987650000000000000 + n) for n in range(4))
_id_formats: dict = {}


def reverse_ids(name: str, *ids) -> str:
    """`reverse(name, args=ids)` for URLs whose arguments are all database ids (`<id:...>`), from a format
    worked out once per process (a page of 20 forum posts links each post five ways: `reverse` matched
    every one against its pattern). Anything but ids goes to `reverse`."""
    if not all(type(value) is int and 0 <= value < 10**18 for value in ids) or len(ids) > len(_ID_MARKS):
        return reverse(name, args=ids)
    key = (name, len(ids), get_script_prefix(), get_urlconf())
    parts = _id_formats.get(key)
    if parts is None:
        url = reverse(name, args=[int(mark) for mark in _ID_MARKS[: len(ids)]])
        marks = _ID_MARKS[: len(ids)]
        positions = [url.find(mark) for mark in marks]
        if any(url.count(mark) != 1 for mark in marks) or positions != sorted(positions):
            return reverse(name, args=ids)  # a pattern that does not show its arguments as they are, in order
        for mark in marks:
            url = url.replace(mark, "\x00")
        parts = _id_formats[key] = url.split("\x00")
    pieces = [parts[0]]
    for value, part in zip(ids, parts[1:], strict=True):
        pieces += [str(value), part]
    return "".join(pieces)
