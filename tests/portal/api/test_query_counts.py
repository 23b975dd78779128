"""The notices list and Open311's GET requests cost the same number of queries whatever the number of
communities and items (what `make bench` measures: tests/benchmarks/api.py)."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from participation.complaints import cases
from participation.complaints.models import Complaint
from tests.communities.helpers import add_notice


def queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_communities_or_items(records, city):
    client = Client(HTTP_HOST="localhost")
    urls = [
        ("/api/v1/notices", {}),
        ("/api/v1/notices", {"district": "east"}),
        ("/open311/v2/requests.json", {}),
        ("/api/v1/complaints", {}),
        ("/api/v1/events", {}),
    ]
    before = [queries(client, url, params) for url, params in urls]
    for community in city.values():
        for n in range(3):
            add_notice(community, f"通知{n}")
            complaint = cases.submit(
                community=community,
                reporter=None,
                kind=Complaint.Kind.HAZARD,
                category=records["category"],
                description="描述",
                address="某处",
                public=True,
            )
            cases.accept(complaint, records["worker"], "受理")
    client = Client(HTTP_HOST="localhost", REMOTE_ADDR="10.1.1.1")  # a fresh throttle history
    after = [queries(client, url, params) for url, params in urls]
    assert after == before
