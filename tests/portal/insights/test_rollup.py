"""Every roll-up figure against a direct count on generated data (a separate, plain-Python count)."""

import io
import math
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from participation.complaints import states
from participation.complaints.models import OPEN_STATES, CaseState, Complaint, ComplaintEvent
from portal.insights import query, registry, rollup
from portal.insights.models import DailyFigure, RolledUpDay
from portal.insights.registry import bucket_for

from .conftest import generate_complaints

pytestmark = pytest.mark.django_db


def timeline(complaint):
    return list(complaint.events.order_by("created_at", "pk"))


def state_then(complaint, events, moment):
    """Replaying the timeline: the state at `moment` (every generated complaint starts submitted)."""
    state = CaseState.SUBMITTED
    for event in events:
        if event.kind == ComplaintEvent.Kind.STATE and event.created_at < moment:
            state = event.to_state
    return state


def direct(day):
    """{figure: Counter{(community_id, code, bucket): value}} of `day`, counted one complaint at a time."""
    start, end = rollup.day_bounds(day)
    counts = defaultdict(Counter)
    for complaint in Complaint.objects.select_related("category"):
        key = (complaint.community_id, complaint.category.service_code)
        events = timeline(complaint)
        if start <= complaint.created_at < end:
            counts["complaints.new"][key + (0,)] += 1
            if is_repeat(complaint):
                counts["complaints.repeat"][key + (0,)] += 1
        if complaint.created_at < end:
            then = state_then(complaint, events, end)
            if then in OPEN_STATES:
                counts["complaints.open"][key + (0,)] += 1
                if complaint.deadline and complaint.deadline < end:
                    counts["complaints.overdue"][key + (0,)] += 1
        responses = [e for e in events if e.kind in (ComplaintEvent.Kind.STATE, ComplaintEvent.Kind.REPLY)]
        if responses and start <= responses[0].created_at < end:
            hours = (responses[0].created_at - complaint.created_at).total_seconds() / 3600
            counts["complaints.first_response"][key + (bucket_for(hours),)] += 1
        for event in events:
            if event.kind != ComplaintEvent.Kind.STATE or not (start <= event.created_at < end):
                continue
            if event.to_state == CaseState.CLOSED:
                counts["complaints.closed"][key + (0,)] += 1
                hours = (event.created_at - complaint.created_at).total_seconds() / 3600
                counts["complaints.time_to_close"][key + (bucket_for(hours),)] += 1
            if event.to_state == CaseState.ESCALATED:
                counts["complaints.escalated"][key + (0,)] += 1
            if event.to_state == CaseState.EVALUATED:
                name = "complaints.satisfied" if complaint.rating == "satisfied" else "complaints.not_satisfied"
                counts[name][key + (0,)] += 1
        city_answers = [e for e in responses if e.from_city]  # a state change or a reply; a note is no answer
        if city_answers and start <= city_answers[0].created_at < end:
            assert any(e.to_state == CaseState.ESCALATED for e in events if e.created_at <= city_answers[0].created_at)
            counts["complaints.city_answered"][key + (0,)] += 1
    return counts


def is_repeat(complaint):
    """An earlier complaint of the community within 90 days and 50 m north-south and east-west."""
    if complaint.latitude is None or complaint.longitude is None:
        return False
    lat, lon = float(complaint.latitude), float(complaint.longitude)
    for other in Complaint.objects.filter(community_id=complaint.community_id).exclude(latitude=None):
        if not (complaint.created_at - timedelta(days=90) <= other.created_at < complaint.created_at):
            continue
        north = abs(float(other.latitude) - lat) * 111_320
        east = abs(float(other.longitude) - lon) * 111_320 * math.cos(math.radians(lat))
        if north <= 50 and east <= 50:
            return True
    return False


def stored(day):
    counts = defaultdict(Counter)
    for row in DailyFigure.objects.filter(day=day):
        counts[row.figure][(row.community_id, row.dimension, row.bucket)] = row.value
    return counts


COMPLAINT_FIGURES = [
    "complaints.new",
    "complaints.open",
    "complaints.overdue",
    "complaints.closed",
    "complaints.escalated",
    "complaints.city_answered",
    "complaints.satisfied",
    "complaints.not_satisfied",
    "complaints.first_response",
    "complaints.time_to_close",
    "complaints.repeat",
]


def test_every_complaint_figure_is_registered_and_counted_here():
    """test_figures.py leaves the complaints' figures to this file: each one needs a direct count above."""
    assert set(COMPLAINT_FIGURES) == {f.key for f in registry.figures() if f.key.startswith("complaints.")}


def test_rollup_matches_direct_count_also_after_later_changes(city, categories):
    communities = list(city.values())
    generate_complaints(communities, categories)
    first, last = rollup.today() - timedelta(days=8), rollup.today() - timedelta(days=1)
    call_command("rebuild_insights", start=first.isoformat(), end=last.isoformat(), stdout=io.StringIO())
    days = [first + timedelta(days=i) for i in range(9)][:8]
    expected_before = {day: direct(day) for day in days}
    for day in days:
        got = stored(day)
        for key in COMPLAINT_FIGURES:
            assert got[key] == expected_before[day][key], (day, key)
    assert sum(expected_before[days[-1]]["complaints.open"].values()) > 0  # the data exercise the levels
    assert any(expected_before[d]["complaints.closed"] for d in days)
    answered = sum(sum(expected_before[d]["complaints.city_answered"].values()) for d in days)
    escalated = sum(sum(expected_before[d]["complaints.escalated"].values()) for d in days)
    assert 0 < answered < escalated  # the city answered some escalated complaints, not all
    city_notes = ComplaintEvent.objects.filter(from_city=True, kind=ComplaintEvent.Kind.NOTE)
    assert city_notes.exists() and ComplaintEvent.objects.filter(from_city=True, kind="reply").exists()
    assert sum(sum(expected_before[d]["complaints.repeat"].values()) for d in days) > 3  # repeats, and
    assert sum(sum(expected_before[d]["complaints.repeat"].values()) for d in days) < 55  # not every one

    # Now every closed complaint reopens and open ones close, today: the past days' figures must not move,
    # today's live figures must follow.
    now = timezone.now()
    for complaint in Complaint.objects.all():
        if complaint.state == CaseState.CLOSED:
            states.move(complaint, CaseState.REOPENED, at=now - timedelta(seconds=5))
        elif complaint.state in (CaseState.IN_PROGRESS, CaseState.REPLIED, CaseState.DISPATCHED):
            states.move(complaint, CaseState.CLOSED, at=now - timedelta(seconds=5))
    for day in days:
        assert {k: v for k, v in stored(day).items() if k in COMPLAINT_FIGURES} == {
            k: v for k, v in expected_before[day].items() if k in COMPLAINT_FIGURES and v
        }
        assert {k: v for k, v in direct(day).items() if v} == {k: v for k, v in expected_before[day].items() if v}
    # A rebuild of the same days gives the same numbers (the events after them are not counted).
    rollup.rebuild(first, last)
    for day in days:
        assert {k: v for k, v in stored(day).items() if k in COMPLAINT_FIGURES} == {
            k: v for k, v in expected_before[day].items() if v
        }
    # Today is live: the open level now is what the complaints' current states say.
    everyone = {c.pk for c in communities}
    open_now = query.period_values(registry.get("complaints.open"), everyone, rollup.today(), rollup.today())
    direct_now = Counter(c.community_id for c in Complaint.objects.filter(state__in=list(OPEN_STATES)))
    assert open_now == {k: v for k, v in direct_now.items() if v}


def test_period_values_sum_flows_and_take_the_last_level(city, categories):
    communities = list(city.values())
    generate_complaints(communities, categories, seed=11)
    first, last = rollup.today() - timedelta(days=8), rollup.today() - timedelta(days=1)
    rollup.rebuild(first, last - timedelta(days=2))  # two finished days left to be computed live
    everyone = {c.pk for c in communities}
    days = [first + timedelta(days=i) for i in range(8)]
    counts = [direct(day) for day in days]
    new = query.period_values(registry.get("complaints.new"), everyone, first, last)
    expected = Counter()
    for day_counts in counts:
        for (community_id, _code, _bucket), value in day_counts["complaints.new"].items():
            expected[community_id] += value
    assert new == dict(expected)
    level = query.period_values(registry.get("complaints.open"), everyone, first, last)
    expected_level = Counter()
    for (community_id, _code, _bucket), value in counts[-1]["complaints.open"].items():
        expected_level[community_id] += value
    assert level == {k: v for k, v in expected_level.items() if v}


def test_rollup_yesterday_task(city, categories):
    from portal.insights.tasks import rollup_yesterday

    generate_complaints(list(city.values()), categories, days=2, count=10)
    rollup_yesterday.enqueue()
    assert RolledUpDay.objects.filter(day=rollup.today() - timedelta(days=1)).exists()


@pytest.mark.parametrize(
    "options, message",
    [
        ({"start": "2026-02-30"}, "--start must be a date"),
        ({"start": "2026-01-05", "end": "2026-01-01"}, "is before --start"),
        ({"start": "2020-01-01", "end": "2999-01-01"}, "must be a finished day"),
        ({"end": "yesterday"}, "--end must be a date"),
    ],
)
def test_rebuild_command_refuses_bad_dates(db, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("rebuild_insights", **options)


def test_today_is_not_rolled_up(db):
    with pytest.raises(ValueError):
        rollup.rollup_day(rollup.today())


def _planner_rows(connection) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [DailyFigure._meta.db_table])
        return cursor.fetchone()[0]


def test_the_planner_sees_the_rows_a_rebuild_and_the_nightly_task_wrote(city, categories):
    """Planned from statistics of an empty table, the dashboards' sums were sorted on disk (see rollup.py)."""
    from django.db import connection

    from portal.insights.tasks import rollup_yesterday

    if connection.vendor != "postgresql":
        pytest.skip("the planner's statistics (ANALYZE) are PostgreSQL's")
    generate_complaints(list(city.values()), categories, days=4, count=40)
    today = rollup.today()
    rollup.rebuild(today - timedelta(days=3), today - timedelta(days=2))
    assert _planner_rows(connection) == DailyFigure.objects.count() > 0
    rollup_yesterday.enqueue()
    assert _planner_rows(connection) == DailyFigure.objects.count()
