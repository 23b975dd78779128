"""Every registered figure's roll-up against a direct count, on the demo city with its events spread
over the last days (and today's live figures too)."""

import math
import random
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from wagtail.users.models import UserProfile

from communities.organisations.models import OrganisationPage
from communities.regions.models import Community
from communities.services.models import ServicePage
from participation.deliberations.models import CoSignature, Proposal, Topic, VoterRoll
from participation.forums.models import Post, Thread
from participation.polls.models import Participation, PollPage
from portal.accounts.models import Membership
from portal.insights import registry, rollup
from portal.insights.models import DailyFigure
from tests.conftest import SEED_DEMO_COMMAND, seed_demo_city_once, seed_demo_command_once

pytestmark = pytest.mark.django_db
# Tests on the recorded demo city share one worker (tests/conftest.py, seed_demo_city_once).
DEMO_CITY = pytest.mark.xdist_group("demo-city")
DAYS = 5


def community_of_page(page):
    return Community.objects.filter(root_page__in=page.get_ancestors(inclusive=True)).values_list("pk", flat=True)[0]


def spread(rng, model, *fields):
    """Move each row's timestamps back by the same random number of days and hours (0 to DAYS days)."""
    for row in model.objects.all():
        shift = timedelta(days=rng.randrange(DAYS + 1), hours=rng.randrange(24))
        changes = {f: getattr(row, f) - shift for f in fields if getattr(row, f) is not None}
        model.objects.filter(pk=row.pk).update(**changes)


@pytest.fixture
def demo(db):
    assert seed_demo_city_once()
    rng = random.Random(5)
    spread(rng, Post, "created_at")
    spread(rng, Thread, "created_at")
    spread(rng, VoterRoll, "voted_at")
    spread(rng, CoSignature, "signed_at")
    spread(rng, Proposal, "created_at", "ready_at")
    spread(rng, Membership, "applied_at", "decided_at")
    spread(rng, Participation, "answered_on")
    spread(rng, ServicePage, "first_published_at")
    poll = PollPage.objects.first()
    for i in range(3):
        Participation.objects.create(poll=poll, visitor=f"visitor-{i}", answered_on=rollup.today() - timedelta(days=i))
    # One deliberation sealed yesterday, with its result as the seal would store it.
    topic = Topic.objects.first()
    yesterday = timezone.now() - timedelta(days=1)
    Topic.objects.filter(pk=topic.pk).update(
        sealed_at=yesterday,
        sealed_eligible_headcount=40,
        sealed_result={"checks": [{"rule": "quorum", "met": False}, {"rule": "simple_majority", "met": True}]},
    )


def direct(key, start, end):
    """{community_id: value} counted row by row, without the figures' queries."""
    counts = Counter()
    within = lambda moment: moment is not None and start <= moment < end  # noqa: E731
    if key == "communities.population":
        counts.update({c.pk: c.population for c in Community.objects.all() if c.population})
    elif key == "accounts.registered":
        counts.update(
            m.community_id for m in Membership.objects.all() if m.applied_at < end and m.status in Membership.ACTIVE
        )
    elif key == "accounts.verified":
        counts.update(
            m.community_id
            for m in Membership.objects.all()
            if m.status == "verified" and (m.decided_at or m.applied_at) < end
        )
    elif key == "forums.threads":
        counts.update(t.community_id for t in Thread.objects.all() if within(t.created_at))
    elif key == "forums.posts":
        counts.update(p.community_id for p in Post.objects.all() if within(p.created_at))
    elif key == "forums.active_posters":
        people = {
            (p.community_id, p.author_id) for p in Post.objects.all() if end - timedelta(days=30) <= p.created_at < end
        }
        counts.update(c for c, _a in people)
    elif key == "polls.responses":
        first, last = timezone.localdate(start), timezone.localdate(end - timedelta(microseconds=1))
        counts.update(community_of_page(p.poll) for p in Participation.objects.all() if first <= p.answered_on <= last)
    elif key == "deliberations.votes":
        counts.update(v.topic.community_id for v in VoterRoll.objects.all() if within(v.voted_at))
    elif key in ("deliberations.sealed", "deliberations.with_quorum", "deliberations.quorum_met"):
        for t in Topic.objects.all():
            if not within(t.sealed_at):
                continue
            quorum = [c["met"] for c in (t.sealed_result or {}).get("checks", []) if c["rule"] == "quorum"]
            if key == "deliberations.sealed" or (quorum and (key == "deliberations.with_quorum" or quorum[0])):
                counts[t.community_id] += 1
    elif key == "deliberations.open":  # a level: open for voting at the end of the period
        counts.update(t.community_id for t in Topic.objects.all() if t.voting_starts <= end < t.voting_ends)
    elif key == "deliberations.sealed_voters":
        counts.update(v.topic.community_id for v in VoterRoll.objects.all() if within(v.topic.sealed_at))
    elif key == "deliberations.sealed_eligible":
        for t in Topic.objects.all():
            if within(t.sealed_at):
                counts[t.community_id] += t.sealed_eligible_headcount or 0
    elif key == "deliberations.proposals":
        counts.update(p.community_id for p in Proposal.objects.all() if within(p.created_at))
    elif key == "deliberations.cosignatures":
        counts.update(c.proposal.community_id for c in CoSignature.objects.all() if within(c.signed_at))
    elif key == "deliberations.proposals_ready":
        counts.update(p.community_id for p in Proposal.objects.all() if within(p.ready_at))
    elif key == "services.entries":
        counts.update(
            community_of_page(s)
            for s in ServicePage.objects.live()
            if s.first_published_at and s.first_published_at < end
        )
    elif key in ("organisations.income", "organisations.spending"):
        for community_id, amounts in money_by_category(key, end).items():
            counts[community_id] += sum(amounts.values())
    elif key.startswith("organisations."):
        from communities.organisations import compliance

        today = timezone.localdate(end - timedelta(microseconds=1))
        for org in OrganisationPage.objects.live():
            community_id = community_of_page(org)
            reports = {r.year: r.disclosed_on for r in org.financial_reports.all() if r.period == "annual"}
            outcomes = []
            for year in compliance.report_years_due(org.registration_date, today):
                disclosed = reports.get(year)
                if disclosed is not None and disclosed > today:
                    disclosed = None
                deadline = compliance.annual_report_deadline(year)
                outcomes.append("missing" if disclosed is None else ("late" if disclosed > deadline else "on_time"))
            for event in org.major_events.all():
                if event.occurred_on > today:
                    continue
                disclosed = event.disclosed_on if event.disclosed_on and event.disclosed_on <= today else None
                deadline = event.occurred_on + timedelta(days=compliance.EVENT_DISCLOSURE_DAYS)
                if disclosed is None:
                    if today > deadline:
                        outcomes.append("missing")
                else:
                    outcomes.append("late" if disclosed > deadline else "on_time")
            counts[community_id] += outcomes.count(key.split(".")[1])
    else:
        raise AssertionError(f"no direct count for {key}: add one")
    return {k: v for k, v in counts.items() if v}


def money_by_category(key, end):
    """{community_id: {category: whole yuan}} of each live organisation's latest annual report disclosed by
    the end, read field by field."""
    from communities.organisations.models import EXPENSE_CATEGORIES, INCOME_CATEGORIES

    today = timezone.localdate(end - timedelta(microseconds=1))
    found = {}
    for org in OrganisationPage.objects.live():
        annual = [
            r
            for r in org.financial_reports.all()
            if r.period == "annual" and r.disclosed_on is not None and r.disclosed_on <= today
        ]
        if not annual:
            continue
        latest = max(annual, key=lambda r: (r.year, r.pk))
        amounts = found.setdefault(community_of_page(org), Counter())
        if key == "organisations.income":
            for code, _label in INCOME_CATEGORIES:
                value = getattr(latest, f"{code}_unrestricted") + getattr(latest, f"{code}_restricted")
                amounts[code] += math.floor(value + Decimal("0.5"))
        else:
            for code, _label in EXPENSE_CATEGORIES:
                amounts[code] += math.floor(getattr(latest, code) + Decimal("0.5"))
    return {c: +amounts for c, amounts in found.items() if +amounts}


def stored(key, day):
    counts = Counter()
    for row in DailyFigure.objects.filter(figure=key, day=day):
        counts[row.community_id] += row.value
    return dict(counts)


@DEMO_CITY
def test_every_figure_matches_a_direct_count(demo):
    today = rollup.today()
    days = [today - timedelta(days=i) for i in range(DAYS, 0, -1)]
    rollup.rebuild(days[0], days[-1])
    keys = [f.key for f in registry.figures() if not f.key.startswith("complaints.")]  # see test_rollup.py
    assert len(keys) >= 19
    seen = set()
    for key in keys:
        for day in days:
            start, end = rollup.day_bounds(day)
            expected = direct(key, start, end)
            assert stored(key, day) == expected, (key, day)
            if expected:
                seen.add(key)
        # Today, live.
        start, _end = rollup.day_bounds(today)
        now = timezone.now()
        live = Counter()
        for (community_id, _d, _b), value in rollup.compute(registry.get(key), start, now).items():
            live[community_id] += value
        assert dict(live) == direct(key, start, now), (key, "today")
    # The demo exercises most figures on some day (not all are empty by accident).
    for key in (
        "forums.posts",
        "forums.threads",
        "accounts.verified",
        "communities.population",
        "services.entries",
        "deliberations.votes",
        "deliberations.sealed",
        "deliberations.with_quorum",
        "polls.responses",
        "organisations.income",
        "organisations.spending",
    ):
        assert key in seen, key


@DEMO_CITY
def test_the_demo_dashboard_has_history(db, client, django_user_model):
    from communities.regions.demo import DEMO_HISTORY_DAYS

    assert seed_demo_city_once()
    today = rollup.today()
    assert DailyFigure.objects.filter(figure="complaints.new", day__lt=today).exists()
    assert Community.objects.filter(population__isnull=True).count() == 0
    admin = django_user_model.objects.create_user("insights-boss", password="pw-for-tests-1", is_superuser=True)
    UserProfile.get_for_user(admin).__class__.objects.filter(user=admin).update(preferred_language="en")
    client.force_login(admin)
    start = today - timedelta(days=DEMO_HISTORY_DAYS)
    response = client.get("/admin/insights/", {"start": start.isoformat(), "end": today.isoformat()})
    assert response.status_code == 200
    tables = {t.key: t for t in response.context["tables"]}
    weeks_with_new = [r for r in tables["complaints-by-week"].rows if r[1]]
    assert len(weeks_with_new) >= 4
    summary = {r[0]: r[1] for r in tables["complaints-summary"].rows}
    assert all(v is not None for v in summary.values()), summary  # every complaint figure and ratio has data
    # The city answered some of the escalated complaints (the demo's history marks the city's moves).
    city_answered = "Escalated complaints answered by the city (first answer in the period)"
    assert 0 < summary[city_answered] <= summary["Complaints escalated to the city"]
    # The same weeks a year earlier have complaints too (the comparison shows), and the organisations' money.
    a_year_earlier = {r[0]: r[-2] for r in tables["complaints-summary"].rows}
    assert a_year_earlier["New complaints"] > 0
    assert tables["organisations-by-income"].rows and tables["organisations-by-spending"].rows


@SEED_DEMO_COMMAND
def test_the_seeded_demo_rolls_up_its_history_after_the_complaints_have_their_points(db):
    """`seed_demo` pins the history's complaints (seed_demo_boundaries) before rolling the history up: rolled
    up before, no past day had a repeat complaint at the same place (a repeat needs a point)."""
    from communities.regions.demo import DEMO_HISTORY_DAYS
    from participation.complaints.models import Complaint

    seed_demo_command_once()  # the command's run on an empty database, once per worker (tests/conftest.py)
    today = rollup.today()
    history = Complaint.objects.filter(created_at__lt=rollup.day_bounds(today)[0])
    assert history.exists() and not history.filter(latitude=None).exists()  # every past complaint is pinned
    repeats = DailyFigure.objects.filter(figure="complaints.repeat", day__lt=today)
    assert sum(repeats.values_list("value", flat=True)) > 0
    # Each past day's roll-up is what the nightly task would write now: the points were there.
    figure = registry.get("complaints.repeat")
    for ago in range(1, DEMO_HISTORY_DAYS + 1):
        day = today - timedelta(days=ago)
        assert sum(stored("complaints.repeat", day).values()) == sum(
            rollup.compute(figure, *rollup.day_bounds(day)).values()
        ), day


@DEMO_CITY
def test_income_and_spending_by_category_scoped_and_exported(db, client, django_user_model):
    """The organisations' money by category: the dashboard's tables against the reports read field by field,
    for a street's staff (their communities' organisations only) and the city; exported as CSV."""
    import csv
    import io

    from communities.organisations.models import INCOME_CATEGORIES
    from communities.regions.models import Region

    assert seed_demo_city_once()
    today = rollup.today()
    params = {"start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()}
    now = timezone.now()
    income, spending = money_by_category("organisations.income", now), money_by_category("organisations.spending", now)
    assert income and spending  # the demo's organisations have disclosed reports
    cuihu = Region.objects.get(slug="cuihu")
    in_cuihu = set(Community.objects.filter(street=cuihu).values_list("pk", flat=True))
    assert set(income) <= in_cuihu  # the demo's organisations are all at home in 翠湖街道

    def expected(by_community, communities):
        total = Counter()
        for community_id, amounts in by_community.items():
            if community_id in communities:
                total.update(amounts)
        return total

    def table_of(response, key):
        table = next(t for t in response.context["tables"] if t.key == key)
        return {row[0]: row[1] for row in table.rows}

    names_in = {str(label): code for code, label in INCOME_CATEGORIES}
    street_staff = django_user_model.objects.create_user("cuihu-staff", password="pw-for-tests-1", is_staff=True)
    street_staff.groups.add(cuihu.editors_group)
    other = django_user_model.objects.create_user("wutong-staff", password="pw-for-tests-1", is_staff=True)
    other.groups.add(Region.objects.get(slug="wutong").editors_group)
    boss = django_user_model.objects.create_user("money-boss", password="pw-for-tests-1", is_superuser=True)

    for user, communities in ((street_staff, in_cuihu), (boss, set(Community.objects.values_list("pk", flat=True)))):
        client.force_login(user)
        response = client.get("/admin/insights/", params)
        assert response.status_code == 200
        rows = table_of(response, "organisations-by-income")
        assert {names_in[name]: value for name, value in rows.items()} == dict(expected(income, communities))
        assert sum(table_of(response, "organisations-by-spending").values()) == sum(
            expected(spending, communities).values()
        )
        csv_text = client.get(
            "/admin/insights/", {**params, "export": "csv", "table": "organisations-by-income"}
        ).content.decode("utf-8-sig")
        exported = {row[0]: row[1] for row in list(csv.reader(io.StringIO(csv_text)))[1:]}
        assert {name: int(value) for name, value in exported.items()} == rows
        items = client.get("/admin/insights/items/", {**params, "figure": "organisations.income"})
        assert items.status_code == 200
        assert "江城市翠园社区为老服务中心" in {row[0] for row in items.context["rows"]}

    # Another street's staff: none of 翠湖's organisations' money.
    client.force_login(other)
    response = client.get("/admin/insights/", params)
    assert table_of(response, "organisations-by-income") == {}
    assert (
        "江城市翠园社区为老服务中心"
        not in client.get("/admin/insights/items/", {**params, "figure": "organisations.income"}).content.decode()
    )
