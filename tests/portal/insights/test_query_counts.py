"""The dashboard's query count does not depend on the number of communities (city, district, street staff;
first load and a filter change; CSV and XLSX exports)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from communities.regions.models import Region
from participation.complaints.models import Complaint
from portal.insights import rollup
from tests.communities.test_admin_query_counts import grow_street_to

from .conftest import generate_complaints

pytestmark = pytest.mark.django_db
URL = "/admin/insights/"


def measure(users, requests):
    """{(who, n): (status, [sql])} with each request asked once first (per-process maps warm)."""
    found = {}
    for who, user in users.items():
        client = Client()
        client.force_login(user)
        for n, params in enumerate(requests[who]):
            client.get(URL, params)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(URL, params)
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
        period,  # first load
        {**period, "category": categories[0].service_code},  # a filter change
        {**period, "area": f"district:{east.pk}"},  # a district
        {**period, "area": f"district:{east.pk}", "category": categories[1].service_code},
        {**period, "export": "xlsx"},
        {**period, "export": "csv", "table": "complaints-by-area"},
    ]
    requests = {"city": city_requests, "street": [period, {**period, "category": categories[0].service_code}]}

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
            grew.extend(sql[:300] for sql in large_queries)
    assert not grew, "\n".join(grew)
