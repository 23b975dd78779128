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
