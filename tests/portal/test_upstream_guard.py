"""Wagtail's own choosers, bulk actions and editing sessions with bad ids: a 404, not a 500
(portal/core/upstream.py, reported in docs/upstream-reports.md). The project's own views are not guarded."""

import pytest
from django.test import Client

HUGE = "99999999999999999999"
CHOOSER = "/admin/snippets/choose/deliberations/topic"


@pytest.fixture
def admin_client(city, make_user):
    client = Client(HTTP_HOST="a1.localhost", raise_request_exception=True)
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", f"{CHOOSER}/chosen/abc/"),
        ("get", f"{CHOOSER}/chosen/%22/"),
        ("get", f"{CHOOSER}/chosen/{HUGE}/"),
        ("get", f"{CHOOSER}/chosen-multiple/?id=abc"),
        ("get", f"{CHOOSER}/chosen-multiple/?id={HUGE}"),
        ("post", f"{CHOOSER}/create/"),
        ("get", "/admin/images/chooser/chosen/abc/"),
        ("get", "/admin/documents/chooser/chosen/abc/"),
        ("get", f"/admin/bulk/deliberations/topic/delete/?id=abc&id={HUGE}"),
        ("post", f"/admin/editing-sessions/ping/deliberations/topic/abc/{HUGE}/"),
        ("post", f"/admin/editing-sessions/ping/wagtailcore/page/{HUGE}/1/"),
        ("post", f"/admin/editing-sessions/release/{HUGE}/"),
        ("post", "/admin/snippets/deliberations/comment/add/"),
    ],
)
def test_bad_ids_in_wagtails_own_urls_are_never_a_500(admin_client, method, url):
    response = getattr(admin_client, method)(url)  # raise_request_exception: a 500 raises here
    assert response.status_code < 500, response.status_code
    if "/chosen/" in url or url.endswith(("/create/", "/add/")):  # chosen-multiple may answer 200, empty
        assert response.status_code == 404


def test_the_guard_is_narrow(rf):
    """Only the listed Wagtail URL names are guarded; a ValueError anywhere else stays an error."""
    from django.urls import resolve

    from portal.core.upstream import WagtailBadIdMiddleware

    guard = WagtailBadIdMiddleware(lambda request: None)
    for path, guarded in [
        (f"{CHOOSER}/chosen/abc/", True),
        ("/admin/bulk/deliberations/topic/delete/", True),
        ("/admin/snippets/deliberations/topic/", False),
        ("/forum/", False),
        ("/admin/pages/1/edit/", False),
    ]:
        request = rf.get(path)
        request.resolver_match = resolve(path)
        answer = guard.process_exception(request, ValueError("Field 'id' expected a number"))
        assert (answer is not None and answer.status_code == 404) == guarded, path
        assert guard.process_exception(request, KeyError("x")) is None
