"""portal.core.sites.site_for_request answers what Site.find_for_request answers, without a query."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from portal.core import sites


@pytest.mark.parametrize("host", ["a1.localhost", "b1.localhost:8000", "localhost", "unknown.example"])
def test_site_for_request_agrees_with_wagtail(city, host):
    expected = Site.find_for_request(RequestFactory(HTTP_HOST=host).get("/"))
    sites.site_for_request(RequestFactory(HTTP_HOST="a1.localhost").get("/"))  # the map is loaded
    request = RequestFactory(HTTP_HOST=host).get("/")
    with CaptureQueriesContext(connection) as captured:
        found = sites.site_for_request(request)
    assert (found.pk if found else None) == (expected.pk if expected else None)
    assert len(captured.captured_queries) == 0
    assert Site.find_for_request(request) is found  # remembered where Wagtail looks


@pytest.mark.parametrize("host", ["localhost", "a1.localhost", "b1.localhost:8000"])
def test_url_for_path_gives_each_pages_own_link(city, host):
    """From the city's site and from a community's: every portal page's link from its url_path alone is the
    link the page itself gives (local on the request's site, the full URL of another community's site)."""
    from wagtail.models import Page

    from communities.pages.models import PortalPage

    request = RequestFactory(HTTP_HOST=host).get("/")
    pages = [page for page in Page.objects.filter(depth__gt=1).specific() if isinstance(page, PortalPage)]
    assert len({page.get_url(request) for page in pages}) == len(pages) > 10
    for page in pages:
        assert sites.url_for_path(page.url_path, request) == page.get_url(request), page.url_path
    assert sites.url_for_path("/no-such-root/", request) is None
