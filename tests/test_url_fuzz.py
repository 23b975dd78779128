"""Every URL pattern of the project, Wagtail's included, fed malformed input: never a 500.

The resolver is walked, not listed by hand, so a pattern added later is fuzzed too. Each slot of each
pattern gets a huge number, a non-number, a quote, a NUL and an overlong string; each pattern is also
asked with the same values in the query string and in a POST body; GET, POST, PUT and DELETE are
tried; as the anonymous visitor, a verified resident, a community worker and a superuser.
"""

import re
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from portal.accounts.membership import Membership

HUGE = "99999999999999999999"  # beyond a signed 64-bit integer
SLOT_VALUES = [HUGE, "abc", '"\x00', "x" * 3000]
QUERY_VALUES = [HUGE, '"\x00']
QUERY_KEYS = ["id", "pk", "q", "p", "page", "next", "ordering", "parent_page_id", "collection_id", "tag"]
# The API's and Open311's own parameters too (cursor pages, filters, dates, keys).
# Decision support's filters and exports.
QUERY_KEYS += ["start", "end", "area", "category", "figure", "export", "table", "shading", "level"]
QUERY_KEYS += ["cursor", "limit", "format", "community", "since", "start_date", "status", "api_key", "service_code"]
METHODS = ["get", "post", "put", "delete"]
SLOT = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
# Slots whose converter takes a fixed word: the base request puts a valid one there, so the view itself is
# reached (Open311's `.json`/`.xml`) and the query string and POST body are fuzzed on it.
VALID_SLOT_VALUES = {"open311fmt": "json"}


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + regex_or_route(pattern))
        else:
            assert isinstance(pattern, URLPattern)
            yield prefix + regex_or_route(pattern), pattern


def regex_or_route(pattern) -> str:
    """A route as written, or a regex with each top-level group turned into a <name> slot."""
    text = str(pattern.pattern)
    if not hasattr(pattern.pattern, "converters") or text.startswith("^"):
        text = text.removeprefix("^").removesuffix("$").removesuffix("\\Z")
        out, depth, slot = "", 0, 0
        for char in text:
            if char == "(":
                if depth == 0:
                    out += f"<g{slot}>"
                    slot += 1
                depth += 1
            elif char == ")":
                depth -= 1
            elif depth == 0:
                out += char.replace("\\", "")
        return out
    return text


DELIBERATE_ERRORS = {"admin/failwhale/"}  # Wagtail's page that raises on purpose, to test error reporting


def every_pattern():
    return sorted({route for route, _ in walk(get_resolver().url_patterns)} - DELIBERATE_ERRORS)


ADMIN_SPLITS = ["admin-a-f", "admin-g-o", "admin-p-r", "admin-s-z"]


def area(route: str) -> str:
    """The site's own pages in one area, the admin's in four (by the letter after /admin/): one test each."""
    if not route.startswith("admin/"):
        return "site"
    letter = (route.removeprefix("admin/")[:1] or "a").lower()
    return next((name for name in ADMIN_SPLITS if name[-3] <= letter <= name[-1]), ADMIN_SPLITS[-1])


AREAS = sorted({area(route) for route in every_pattern()})


def requests_for(route: str):
    """(method, path, query, body): bad values in each slot, then in the query string and in a POST body."""
    if SLOT.search(route):
        for value in SLOT_VALUES:
            path = "/" + SLOT.sub(lambda _m, v=value: quote(v, safe=""), route)
            for method in METHODS if value == HUGE else ["get"]:
                yield method, path, "", {}
    # No object has id 0: a POST here changes nothing that exists.
    base = "/" + SLOT.sub(lambda m: VALID_SLOT_VALUES.get(m.group("converter"), "0"), route)
    if not SLOT.search(route) or {m.group("converter") for m in SLOT.finditer(route)} <= set(VALID_SLOT_VALUES):
        for method in METHODS:
            yield method, base, "", {}
    for value in QUERY_VALUES:
        params = dict.fromkeys(QUERY_KEYS, value)
        yield "get", base, urlencode(params), {}
    yield "post", base, "", dict.fromkeys(QUERY_KEYS, '"\x00')


def drop_flash_messages(client) -> None:
    """A browser shows a flash message ("you do not have permission...") on the page it is sent to next; this
    client follows no redirect, so without this the messages of a role's hundreds of refused requests piled up
    in its message cookie and session, and every later request decoded and re-encoded all of them (for the
    resident, about 40% of the CPU of an admin chunk). Forget them as the page showing them would."""
    cookie = client.cookies.pop("messages", None)
    if cookie is None or not cookie.value:
        return  # no message: nothing in the session either (it holds only what overflows the cookie)
    if settings.SESSION_COOKIE_NAME in client.cookies:
        session = client.session
        if "_messages" in session:
            del session["_messages"]
            session.save()


def logged_in(client, user) -> bool:
    user.refresh_from_db()
    assert user.is_active, f"{user} was deactivated by a request with malformed input"
    session = client.session
    return session.get(SESSION_KEY) == str(user.pk) and session.get(HASH_SESSION_KEY) == user.get_session_auth_hash()


@pytest.fixture
def clients(city, make_user):
    from portal.accounts.permissions import grant_worker_permissions

    community = city["a1"]
    resident = make_user("fuzz-resident", phone="13800138999", display_name="居民")
    Membership.objects.create(user=resident, community=community, status=Membership.Status.VERIFIED)
    grant_worker_permissions(community.editors_group)
    worker = make_user("fuzz-worker", is_staff=True)
    worker.groups.add(community.editors_group)
    admin = make_user("fuzz-admin", is_staff=True, is_superuser=True)
    return {"anonymous": None, "resident": resident, "worker": worker, "superuser": admin}


def test_the_walk_reaches_every_part_of_the_project():
    routes = every_pattern()
    assert len(routes) > 300
    for expected in (
        "forum/t/<id:thread_id>/reply/",
        "open311/updates",
        "admin/bulk/",
        "complaints/new/",
        "api/v1/notices",
        "api/v1/complaints/<id:complaint_id>",
        "open311/v2/requests.<open311fmt:fmt>",
        "admin/api_keys/",
        "admin/insights/",
    ):
        assert any(expected in route for route in routes), expected
    assert set(AREAS) == {"site", *ADMIN_SPLITS}


def test_the_projects_own_urls_take_no_unbounded_integers():
    """Every route the project writes (URLconfs, admin hooks, routable pages, WebSocket routes) uses <id:>
    (at most 18 digits), never <int:>; Wagtail's generated ones are fuzzed below instead."""
    root = Path(__file__).resolve().parents[1]
    written = [
        f"{path.relative_to(root)}: {line.strip()}"
        for package in ("portal", "communities", "participation", "themes")
        for path in (root / package).rglob("*.py")
        if "migrations" not in path.parts
        for line in path.read_text(encoding="utf-8").splitlines()
        if "<int:" in line
    ]
    assert written == []
    assert resolve("/forum/t/999999999999999999/").url_name == "thread"  # 18 digits: the forum's view
    assert resolve("/forum/t/99999999999999999999/").url_name == "wagtail_serve"  # 20: no such page, a 404


@pytest.mark.parametrize("where", AREAS)
@pytest.mark.parametrize("role", ["anonymous", "resident", "worker", "superuser"])
def test_no_url_answers_500_to_malformed_input(clients, role, where):
    user = clients[role]
    client = Client(HTTP_HOST="a1.localhost", raise_request_exception=True)
    failures = []
    for route in (route for route in every_pattern() if area(route) == where):
        for method, path, query, body in requests_for(route):
            if user is not None and not logged_in(client, user):
                client.force_login(user)  # a logout URL, or a password change, ended the session
            url = f"{path}?{query}" if query else path
            try:
                response = client.post(url, body) if method == "post" else getattr(client, method)(url)
            except Exception as error:  # noqa: BLE001  (the point is to list every failure, not the first)
                failures.append(f"{method.upper()} {url[:160]} -> {type(error).__name__}: {str(error)[:120]}")
                continue
            drop_flash_messages(client)
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {url[:160]} -> {response.status_code}")
            if user is not None and "logout" not in path:  # each request really was made as this role
                assert response.wsgi_request.user == user, url
    assert not failures, f"{len(failures)} requests failed:\n" + "\n".join(failures)
