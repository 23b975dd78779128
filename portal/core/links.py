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
