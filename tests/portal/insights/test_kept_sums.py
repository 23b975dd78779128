"""The sums of rolled-up days are kept across requests (portal.insights.query._kept_sums): a dashboard seen
again reads no roll-up rows, yet nothing stale is ever shown. A day rolled up again is seen at once, and two
periods that share their rolled-up days but end on different days do not share their levels."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from participation.complaints.models import OPEN_STATES, Complaint
from portal.insights import live, query, registry, rollup
from portal.insights.models import DailyFigure

from .conftest import generate_complaints

pytestmark = pytest.mark.django_db
URL = "/admin/insights/"


def period(days):
    today = rollup.today()
    return {"start": (today - timedelta(days=days)).isoformat(), "end": today.isoformat()}


def rows_of(response):
    return {t.key: t.rows for t in response.context["tables"]}


def test_a_dashboard_seen_again_reads_no_rolled_up_rows_and_shows_the_same(city, categories, make_user):
    generate_complaints(list(city.values()), categories, days=6, count=40, seed=5)
    rollup.rebuild(rollup.today() - timedelta(days=6), rollup.today() - timedelta(days=1))
    client = Client()
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    first = client.get(URL, period(6))
    live.forget_all()  # as after a new complaint: today's figures are computed again, the roll-ups are not
    with CaptureQueriesContext(connection) as captured:
        again = client.get(URL, period(6))
    assert again.status_code == 200
    table = DailyFigure._meta.db_table
    assert not [q["sql"] for q in captured.captured_queries if table in q["sql"]]
    assert rows_of(again) == rows_of(first)
    # A period asked for the first time reads them (and only then).
    with CaptureQueriesContext(connection) as captured:
        client.get(URL, period(5))
    assert [q["sql"] for q in captured.captured_queries if table in q["sql"]]


def test_a_day_rolled_up_again_is_seen_at_once(city, categories, make_user):
    generate_complaints(list(city.values()), categories, days=4, count=20, seed=8)
    day = rollup.today() - timedelta(days=2)
    rollup.rebuild(rollup.today() - timedelta(days=4), rollup.today() - timedelta(days=1))
    new = registry.get("complaints.new")
    ids = query.scoped_community_ids(make_user("boss", is_staff=True, is_superuser=True))
    start = rollup.today() - timedelta(days=4)
    yesterday = rollup.today() - timedelta(days=1)
    before = sum(query.values_many([new], ids, start, yesterday)["complaints.new"].values())
    Complaint.objects.create(
        community=city["a1"],
        category=categories[0],
        kind=Complaint.Kind.HAZARD,
        description="补录",
        address="某路1号",
        created_at=rollup.day_bounds(day)[0] + timedelta(hours=9),
    )
    rollup.rollup_day(day)  # what `rebuild_insights` does for a day whose data changed
    after = sum(query.values_many([new], ids, start, yesterday)["complaints.new"].values())
    assert after == before + 1


def test_periods_sharing_their_rolled_up_days_keep_their_own_levels(city, categories, make_user):
    generate_complaints(list(city.values()), categories, days=4, count=20, seed=9)
    rollup.rebuild(rollup.today() - timedelta(days=4), rollup.today() - timedelta(days=1))
    open_figure = registry.get("complaints.open")
    ids = query.scoped_community_ids(make_user("boss", is_staff=True, is_superuser=True))
    start, yesterday = rollup.today() - timedelta(days=4), rollup.today() - timedelta(days=1)
    # Two more open complaints today: open now differs from open at the end of yesterday.
    for n in range(2):
        Complaint.objects.create(
            community=city["b1"], category=categories[1], kind=Complaint.Kind.HAZARD, description=f"今{n}", address="x"
        )
    until_yesterday = sum(query.values_many([open_figure], ids, start, yesterday)["complaints.open"].values())
    until_today = sum(query.values_many([open_figure], ids, start, rollup.today())["complaints.open"].values())
    stored = sum(DailyFigure.objects.filter(figure="complaints.open", day=yesterday).values_list("value", flat=True))
    assert until_yesterday == stored
    assert until_today == Complaint.objects.filter(state__in=OPEN_STATES).count()
