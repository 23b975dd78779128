"""The dashboard's and the map's query count does not depend on the number of communities (city, district,
street staff; first load and a filter change; CSV and XLSX exports). Measured with today's live figures
computed (the cache cleared before each measured request), as the first request after a change pays."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from communities.regions.models import Region
from participation.complaints.models import Complaint
from portal.insights import live, rollup
from tests.communities.test_admin_query_counts import grow_street_to
from tests.query_diff import difference

from .conftest import generate_complaints

pytestmark = pytest.mark.django_db
URL = "/admin/insights/"
MAP = "/admin/insights/map/"


def measure(users, requests):
    """{(who, n): (status, [sql])} with each request asked once first (per-process maps warm), then with
    today's live figures forgotten (computed again, as after a change, not read from the cache)."""
    found = {}
    for who, user in users.items():
        client = Client()
        client.force_login(user)
        for n, (url, params) in enumerate(requests[who]):
            client.get(url, params)
            live.forget_all()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, params)
            found[who, n] = (response.status_code, [q["sql"] for q in captured.captured_queries])
    return found


def test_dashboard_queries_do_not_grow_with_the_number_of_communities(city, categories, make_user):
    from communities.regions.models import Community

    generate_complaints(list(city.values()), categories, days=10, count=40, seed=11)
    first, last = rollup.today() - timedelta(days=10), rollup.today() - timedelta(days=4)
    rollup.rebuild(first, last)
    today = rollup.today()
    period = {"start": (today - timedelta(days=12)).isoformat(), "end": today.isoformat()}
    east = Region.objects.get(slug="east")
    street_staff = make_user("street-a-staff", is_staff=True)
    street_staff.groups.add(Region.objects.get(slug="street-a").editors_group)
    users = {"city": make_user("boss", is_staff=True, is_superuser=True), "street": street_staff}
    city_requests = [
        (URL, period),  # first load
        (URL, {**period, "category": categories[0].service_code}),  # a filter change
        (URL, {**period, "area": f"district:{east.pk}"}),  # a district
        (URL, {**period, "area": f"district:{east.pk}", "category": categories[1].service_code}),
        (URL, {**period, "export": "xlsx"}),
        (URL, {**period, "export": "csv", "table": "complaints-by-area"}),
        (MAP, period),  # the map: communities shaded by the first figure
        (MAP, {**period, "level": "street", "shading": "complaints.overdue_share"}),
        (MAP, {**period, "area": f"district:{east.pk}", "category": categories[0].service_code}),
        (MAP, {**period, "level": "community", "export": "csv"}),  # the map's table by region, exported
    ]
    street_requests = [(URL, period), (URL, {**period, "category": categories[0].service_code}), (MAP, period)]
    requests = {"city": city_requests, "street": street_requests}

    small = measure(users, requests)
    grow_street_to("street-a", 12)  # 3 -> 12 communities, 1 -> 10 of them street-a's
    grown = list(Community.objects.filter(street__slug="street-a"))
    generate_complaints(grown, categories, days=10, count=80, seed=12)
    rollup.rebuild(first, last)
    assert Complaint.objects.filter(community__in=grown).values("community").distinct().count() > 5
    large = measure(users, requests)

    grew = []
    for key, (status, queries) in small.items():
        large_status, large_queries = large[key]
        assert status == large_status == 200, key
        if len(large_queries) != len(queries):
            grew.append(f"{key}: {len(queries)} -> {len(large_queries)} queries")
            grew.extend(difference(queries, large_queries))
    assert not grew, "\n".join(grew)


def test_a_saved_complaint_reaches_the_cached_live_figures_at_once(city, categories, make_user):
    """Today's figures are kept across requests, but a complaint's save (or delete) makes them be computed
    again: the dashboard stays exact up to the last event."""
    from participation.complaints.models import Complaint as Model
    from portal.insights import query, registry

    communities = list(city.values())
    everyone = {c.pk for c in communities}
    today = rollup.today()
    new, open_ = registry.get("complaints.new"), registry.get("complaints.open")
    assert query.period_values(new, everyone, today, today) == {}
    made = Model.objects.create(
        community=communities[0], category=categories[0], kind="hazard", description="x", address="某路1号"
    )
    with CaptureQueriesContext(connection) as first:
        assert query.period_values(new, everyone, today, today) == {communities[0].pk: 1}
    with CaptureQueriesContext(connection) as again:
        assert query.period_values(new, everyone, today, today) == {communities[0].pk: 1}
    assert len(again) < len(first)  # kept: the live figure was not computed again
    assert query.period_values(open_, everyone, today, today) == {communities[0].pk: 1}
    made.state = "closed"
    made.save()
    assert query.period_values(open_, everyone, today, today) == {}
    Model.objects.create(
        community=communities[1], category=categories[1], kind="hazard", description="y", address="某路2号"
    )
    assert query.period_values(new, everyone, today, today) == {communities[0].pk: 1, communities[1].pk: 1}
    made.delete()
    assert query.period_values(new, everyone, today, today) == {communities[1].pk: 1}
