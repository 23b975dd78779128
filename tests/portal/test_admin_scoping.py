"""Staff of community A reach nothing of community B through any admin view of any scoped model.

The viewsets are enumerated from Wagtail's registry (see admin_scoping_audit): a viewset registered
for a community-scoped model without the one scoping mixin fails `test_every_scoped_viewset_uses_the_mixin`,
and one that leaks fails `test_no_admin_url_of_a_scoped_model_reaches_another_community`; the last
tests prove both checks catch an unscoped viewset.
"""

import pytest
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import include, path, reverse
from wagtail.admin.viewsets.model import ModelViewSet

from communities.regions.models import Community
from participation.forums.models import Thread
from portal.core.admin_scoping import Scoped, community_scoped_view

from .admin_scoping_audit import (
    MARK,
    all_viewsets,
    audit_function_view,
    audit_viewset,
    function_view_url,
    leaks,
    make_rows,
    scoped_function_views,
    scoped_viewsets,
    snapshot,
    unscoped,
    unscoped_admin_urls,
)
from .admin_scoping_audit import function_view_rows as make_function_view_rows

SCOPED = scoped_viewsets()


def get_content_type(model):
    return ContentType.objects.get_for_model(model)


@pytest.fixture
def two_communities(city, make_user):
    """A's staff (editor and moderator of a1), and one row of every scoped model in a1 and in b1."""
    Community.objects.filter(pk=city["b1"].pk).update(name=f"{MARK}社区")
    city["b1"].refresh_from_db()
    staff_a = make_user("staff_a", is_staff=True)
    staff_a.groups.add(city["a1"].editors_group, city["a1"].moderators_group)
    # Every model permission of every scoped model: the scope alone has to keep B's rows away.
    models = {viewset.model for viewset in SCOPED}
    staff_a.user_permissions.add(*Permission.objects.filter(content_type__in=[get_content_type(m) for m in models]))
    staff_b = make_user(f"{MARK}编辑", is_staff=True, display_name=f"{MARK}编辑")
    staff_b.groups.add(city["b1"].editors_group)
    resident_a = make_user("resident_a")
    return {
        "staff_a": staff_a,
        "staff_b": staff_b,
        "own": make_rows(city["a1"], resident_a, "甲"),
        "foreign": make_rows(city["b1"], staff_b, MARK),
    }


def test_the_registry_walk_finds_the_scoped_viewsets():
    """The enumeration is not empty by accident: it finds the screens issue 12 names."""
    names = {viewset.url_prefix for viewset in SCOPED}
    for expected in (
        "snippets/deliberations/voterregister",
        "snippets/choose/deliberations/voterregister",
        "forum_threads",
        "sensitive_words",
        "moderation_policies",
        "memberships",
        "communities",
    ):
        assert expected in names
    assert len(SCOPED) >= 20


def test_every_scoped_viewset_uses_the_mixin():
    assert [viewset.url_prefix for viewset in unscoped(all_viewsets())] == []


@pytest.mark.parametrize("viewset", SCOPED, ids=[viewset.url_prefix for viewset in SCOPED])
def test_no_admin_url_of_a_scoped_model_reaches_another_community(viewset, two_communities, host_client):
    model = viewset.model
    assert model in two_communities["foreign"], f"add a row of {model._meta.label} to make_rows()"
    client = host_client("localhost", two_communities["staff_a"])
    assert audit_viewset(viewset, client, two_communities["foreign"][model]) == []
    # Not a blanket refusal: A's staff still open A's own row.
    assert own_row_reachable(viewset, client, two_communities["own"][model])


def own_row_reachable(viewset, client, own):
    for pattern in viewset.get_urlpatterns():
        if "pk" in pattern.pattern.converters and pattern.name in ("edit", "inspect", "chosen"):
            url = reverse(f"{viewset.url_namespace}:{pattern.name}", kwargs={"pk": quote(own.pk)})
            if client.get(url).status_code == 200:
                return True
    return False


# The checks catch a viewset that forgets the mixin ----------------------------------------------


class UnscopedThreadViewSet(ModelViewSet):
    """What a new screen looks like when its author forgets the mixin."""

    model = Thread
    form_fields = ["pinned"]
    list_display = ["title", "community"]
    inspect_view_enabled = True


unscoped_threads = UnscopedThreadViewSet("unscoped_threads")

urlpatterns = [
    path(
        f"admin/{unscoped_threads.url_prefix}/",
        include((unscoped_threads.get_urlpatterns(), unscoped_threads.url_namespace)),
    ),
    path("", include("portal.urls")),
]


def test_the_mixin_check_catches_a_viewset_without_it():
    assert unscoped([unscoped_threads]) == [unscoped_threads]


@pytest.mark.urls(__name__)
def test_the_url_audit_catches_a_viewset_without_the_mixin(two_communities, host_client):
    client = host_client("localhost", two_communities["staff_a"])
    problems = audit_viewset(unscoped_threads, client, two_communities["foreign"][Thread])
    assert any("edit" in problem and "not 403/404" in problem for problem in problems)
    assert any("shows community B's data" in problem for problem in problems)
    listing = client.get(f"/admin/{unscoped_threads.url_prefix}/")
    assert listing.status_code == 200 and leaks(listing)


# Reports ---------------------------------------------------------------------------------------

REPORTS = [
    "/admin/reports/site-history/",
    "/admin/reports/site-history/results/",
    "/admin/reports/site-history/?export=csv",
    "/admin/reports/site-history/?export=xlsx",
    "/admin/reports/page-types-usage/",
    "/admin/reports/page-types-usage/results/",
]


@pytest.fixture
def logged_and_drafted(two_communities, city):
    """B's editor edited B's rows and left a draft notice; A's staff edited A's thread."""
    from wagtail.log_actions import log

    from tests.communities.helpers import add_notice

    for model in (Thread, Community):
        log(two_communities["foreign"][model], "wagtail.edit", user=two_communities["staff_b"])
    log(two_communities["own"][Thread], "wagtail.edit", user=two_communities["staff_a"])
    add_notice(city["a1"], "甲通知")
    add_notice(city["b1"], f"{MARK}草稿", live=False)
    return two_communities


@pytest.mark.parametrize("url", REPORTS)
def test_reports_show_nothing_of_another_community(url, logged_and_drafted, host_client, make_user):
    client = host_client("localhost", logged_and_drafted["staff_a"])
    response = client.get(url)
    assert response.status_code == 200
    assert not leaks(response)
    superuser = host_client("localhost", make_user("root", is_staff=True, is_superuser=True))
    assert leaks(superuser.get(url)), "the report has B's data to hide"


def test_site_history_still_shows_the_users_own_community(logged_and_drafted, host_client):
    client = host_client("localhost", logged_and_drafted["staff_a"])
    assert "甲帖子" in client.get("/admin/reports/site-history/").content.decode()


def test_every_page_form_linking_to_communities_is_scoped():
    """Pages are not viewsets: a page type with a field linking to communities must use the form mixin."""
    from wagtail.models import get_page_models

    from portal.core.admin_scoping import CommunityScopedFormMixin

    linking = [
        model
        for model in get_page_models()
        if any(
            field.is_relation and not field.auto_created and field.related_model is Community
            for field in model._meta.get_fields()
        )
    ]
    assert linking, "the organisation page links to the communities it serves"
    for model in linking:
        assert issubclass(model.get_edit_handler().get_form_class(), CommunityScopedFormMixin), model


@pytest.mark.parametrize("bad", ["abc", "99999999999999999999999", "1.5", "%22"])
def test_malformed_object_ids_are_a_404_not_a_500(bad, two_communities, host_client):
    client = host_client("localhost", two_communities["staff_a"])
    for url in (
        f"/admin/forum_threads/edit/{bad}/",
        f"/admin/snippets/choose/deliberations/voterregister/chosen/{bad}/",
        f"/admin/bulk/deliberations/voterregister/delete/?id={bad}",
        f"/admin/snippets/choose/deliberations/topic/chosen-multiple/?id={bad}",
    ):
        assert client.get(url).status_code in (200, 404), url


# Function views: every admin URL with an id, from the resolver ---------------------------------


def test_every_admin_url_with_an_id_is_scoped_or_justified():
    """Each admin URL with an id in its path is a scoped viewset's, declared with `community_scoped_view`
    (every id of it), or on NOT_SCOPED with its reason: a new admin view that scopes by hand fails here."""
    assert unscoped_admin_urls() == []


def test_the_url_walk_finds_the_function_views():
    routes = {route for route, _pattern in scoped_function_views()}
    for expected in (
        "admin/complaints/<id:pk>/",
        "admin/complaints/<id:pk>/photos/<id:photo_id>/visibility/",
        "admin/moderation/act/<id:type_id>/<id:object_id>/",
        "admin/deliberations/paper-ballots/<id:pk>/",
        "admin/organisations/questions/<id:pk>/",
        "admin/participation-rules/<id:community_id>/",
        "admin/memberships/<id:pk>/reveal/",
    ):
        assert expected in routes


def test_the_url_walk_catches_an_admin_view_that_scopes_by_hand():
    def hand_scoped(request, pk):  # what a new view looks like when its author forgets the mechanism
        return None

    declared = community_scoped_view(pk=Scoped(Thread))(lambda request, thread, other_id: None)
    urls = [
        ("admin/threads/<id:pk>/", path("<id:pk>/", hand_scoped), {"pk"}),
        ("admin/threads/<id:pk>/<id:other_id>/", path("<id:pk>/<id:other_id>/", declared), {"pk", "other_id"}),
        ("admin/pages/<id:pk>/mine/", path("<id:pk>/mine/", hand_scoped), {"pk"}),  # not Wagtail's own
    ]
    problems = unscoped_admin_urls(urls)
    assert len(problems) == 3 and "other_id" in problems[1]


@pytest.fixture
def function_view_rows(two_communities, city, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    staff_a = two_communities["staff_a"]
    codenames = ["reveal_personal_data", "moderate", "change_actionrule"]
    staff_a.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return {
        "own": make_function_view_rows(city["a1"], staff_a, "甲", two_communities["own"]),
        "foreign": make_function_view_rows(city["b1"], two_communities["staff_b"], MARK, two_communities["foreign"]),
    }


def test_no_function_view_reaches_another_community(two_communities, function_view_rows, city, host_client):
    """Every view declared with `community_scoped_view` (the walk's), GET and POST with B's ids as A's
    staff: 403/404, nothing of B shown, nothing of B changed; A's own ids still open it."""
    views = scoped_function_views()
    foreign = function_view_rows["foreign"]
    before = {model: snapshot(row) for model, row in foreign.items()}
    problems = []
    for route, pattern in views:
        host = "localhost" if route.startswith("admin/") else city["b1"].hostname
        client = host_client(host, two_communities["staff_a"])
        problems += audit_function_view(route, pattern, client, foreign)
        own_host = "localhost" if route.startswith("admin/") else city["a1"].hostname
        own = host_client(own_host, two_communities["staff_a"]).get(
            function_view_url(route, pattern.callback, function_view_rows["own"])
        )
        if own.status_code not in (200, 302, 405):
            problems.append(f"{route}: {own.status_code} for community A's own row")
    assert problems == []
    assert {model: snapshot(row) for model, row in foreign.items()} == before


def test_insights_show_nothing_of_another_community(two_communities, city, host_client, make_user):
    """Decision support's dashboard, exports and item lists: A's staff see A's figures; B's area (an id in
    the query string, not the path) is refused with a form error, never shown."""
    b1 = city["b1"]
    client = host_client("localhost", two_communities["staff_a"])
    for params in ({}, {"export": "xlsx"}, {"print": "1"}):
        response = client.get("/admin/insights/", params)
        assert response.status_code == 200
        assert not leaks(response)
    for url in ("/admin/insights/", "/admin/insights/items/"):
        response = client.get(url, {"area": f"community:{b1.pk}", "figure": "complaints.new"})
        assert response.status_code == 400
        assert not leaks(response)
    superuser = host_client("localhost", make_user("root", is_staff=True, is_superuser=True))
    assert leaks(superuser.get("/admin/insights/", {"area": f"community:{b1.pk}"})), "the dashboard has B to hide"
