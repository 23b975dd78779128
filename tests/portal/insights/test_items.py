"""The drill-down: every counted figure lists the items behind its number (as many rows as the figure counts, or
rows whose count column adds up to it), scoped to the communities the user may act for, nothing personal."""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from communities.regions.models import Community, Region
from participation.deliberations.models import Proposal, Topic
from participation.forums.models import Thread
from portal.accounts import personal_text
from portal.insights import query, registry, rollup
from portal.insights.registry import DURATION

from .test_figures import DAYS, DEMO_CITY, demo  # noqa: F401 (demo: the fixture, spread over the last days)

pytestmark = [pytest.mark.django_db, DEMO_CITY]

# Counted figures deliberately without a list of items, and why (docs/insights.md, "The items behind a number").
WITHOUT_ITEMS = {
    "communities.population": "a number staff entered for each community: there are no items behind it",
    "accounts.registered": "residents are people: no list of them; the counts per community are the by-area table",
    "accounts.verified": "residents are people: no list of them; the counts per community are the by-area table",
    "forums.active_posters": "people, not content: even masked names tell who posts in a small community",
}
# Amounts, not counts: their items are the annual reports whose amounts they add (test_figures checks the sums).
AMOUNTS = {"organisations.income", "organisations.spending"}

PHONE = "13812345678"
ID_NUMBER = "110101199003071234"
DOOR = "翠园小区3栋2单元401"


@pytest.fixture
def data(demo):  # noqa: F811
    """The demo, spread over the last days, with a deliberation that met its quorum, and residents' phone,
    ID number and door written into titles the lists show (masked there)."""
    sealed, met = Topic.objects.order_by("pk")[1:3]
    yesterday = timezone.now() - timedelta(days=1)
    Topic.objects.filter(pk=met.pk).update(
        sealed_at=yesterday - timedelta(days=1),
        sealed_eligible_headcount=12,
        sealed_result={"checks": [{"rule": "quorum", "met": True}]},
    )
    Topic.objects.filter(pk=sealed.pk).update(sealed_at=yesterday, sealed_eligible_headcount=None, sealed_result={})
    thread = Thread.objects.order_by("-created_at").first()
    Thread.objects.filter(pk=thread.pk).update(title=f"请联系{PHONE}，住{DOOR}")
    proposal = Proposal.objects.order_by("-created_at").first()
    Proposal.objects.filter(pk=proposal.pk).update(title=f"身份证{ID_NUMBER}的提议")


def counted_figures():
    return [f for f in registry.figures() if f.kind != DURATION]


def figure_values(figure, start, end) -> Counter:
    values = Counter()
    for (community_id, _dimension, _bucket), value in rollup.compute(figure, start, end).items():
        values[community_id] += value
    return values


def listed(figure, community_ids, start, end) -> int:
    columns, rows = figure.items(community_ids, start, end, None)
    assert all(len(row) == len(columns) for row in rows), figure.key
    if figure.items_count_column is None:
        return len(rows)
    return sum(row[figure.items_count_column] or 0 for row in rows)


def periods():
    today = rollup.today()
    now = timezone.now()
    days = [rollup.day_bounds(today - timedelta(days=i)) for i in range(DAYS, 0, -1)]
    whole = (rollup.day_bounds(today - timedelta(days=DAYS))[0], now)
    return [*days, (rollup.day_bounds(today)[0], now), whole]


def test_every_counted_figure_lists_its_items_or_says_why_not(data):
    figures = counted_figures()
    for figure in figures:
        if figure.key in WITHOUT_ITEMS:
            assert figure.items is None, f"{figure.key} has items now: take it off WITHOUT_ITEMS"
        else:
            assert figure.items is not None, f"{figure.key} has no list of items (or a reason in WITHOUT_ITEMS)"
    communities = list(Community.objects.values_list("pk", flat=True))
    seen = set()
    for figure in figures:
        if figure.items is None or figure.key in AMOUNTS:
            continue
        for start, end in periods():
            values = figure_values(figure, start, end)
            for community_id in communities:
                expected = values.get(community_id, 0)
                assert listed(figure, [community_id], start, end) == expected, (figure.key, community_id, start)
                if expected:
                    seen.add(figure.key)
            assert listed(figure, communities, start, end) == sum(values.values()), (figure.key, start)
    # The demo gives most lists something to show (the equalities above are not all 0 == 0).
    for key in (
        "complaints.new",
        "complaints.open",
        "complaints.closed",
        "deliberations.votes",
        "deliberations.sealed",
        "deliberations.with_quorum",
        "deliberations.quorum_met",
        "deliberations.sealed_voters",
        "deliberations.sealed_eligible",
        "deliberations.proposals",
        "deliberations.cosignatures",
        "polls.responses",
        "forums.threads",
        "forums.posts",
        "services.entries",
        "organisations.on_time",
    ):
        assert key in seen, key


def staff_of(django_user_model, region, name):
    user = django_user_model.objects.create_user(name, password="pw-for-tests-1", is_staff=True)
    user.groups.add(region.editors_group)
    return user


def params(**extra):
    today = rollup.today()
    return {"start": (today - timedelta(days=DAYS)).isoformat(), "end": today.isoformat(), **extra}


def text_of(body: str) -> str:
    """What a page shows: its text without tags, scripts and styles."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_the_dashboard_links_every_list_and_every_list_renders_without_personal_data(data, client, django_user_model):
    boss = django_user_model.objects.create_user("items-boss", password="pw-for-tests-1", is_superuser=True)
    client.force_login(boss)
    dashboard = client.get("/admin/insights/", params()).content.decode()
    for figure in counted_figures():
        link = f"figure={figure.key}"
        assert (link in dashboard) == (figure.items is not None), figure.key
        if figure.items is None:
            assert client.get("/admin/insights/items/", params(figure=figure.key)).status_code == 400
            continue
        response = client.get("/admin/insights/items/", params(figure=figure.key))
        assert response.status_code == 200, figure.key
        body = response.content.decode()
        shown = text_of(body)
        assert personal_text.find(shown) == [], (figure.key, personal_text.find(shown))
        for raw in (PHONE, ID_NUMBER, DOOR):
            assert raw not in body, (figure.key, raw)
    # The masked titles are there, linking to their public pages.
    threads = client.get("/admin/insights/items/", params(figure="forums.threads")).content.decode()
    assert "请联系138****5678" in threads and "/forum/t/" in threads
    proposals = client.get("/admin/insights/items/", params(figure="deliberations.proposals")).content.decode()
    assert "的提议" in proposals and "/deliberations/proposals/" in proposals
    topics = client.get("/admin/insights/items/", params(figure="deliberations.quorum_met"))
    assert len(topics.context["rows"]) == 1 and "/deliberations/" in topics.content.decode()


def test_a_street_lists_only_its_own_items(data, client, django_user_model):
    cuihu, wutong = Region.objects.get(slug="cuihu"), Region.objects.get(slug="wutong")
    user = staff_of(django_user_model, cuihu, "cuihu-items")
    mine = query.scoped_community_ids(user)
    theirs = Community.objects.filter(street=wutong).order_by("pk")
    assert mine and theirs and not set(mine) & {c.pk for c in theirs}
    names_mine = set(Community.objects.filter(pk__in=mine).values_list("name", flat=True))
    client.force_login(user)
    for figure in counted_figures():
        if figure.items is None:
            continue
        own = client.get("/admin/insights/items/", params(figure=figure.key))
        assert own.status_code == 200, figure.key
        with translation.override("en"):  # the columns are lazy: read in English, whatever the page's language
            community = [str(c) for c in own.context["columns"]].index("Community")
        assert {row[community] for row in own.context["rows"]} <= names_mine, figure.key
        for other in theirs:
            refused = client.get("/admin/insights/items/", params(figure=figure.key, area=f"community:{other.pk}"))
            assert refused.status_code == 400, (figure.key, other)
            assert refused.context["rows"] == []
            assert "area" in refused.context["form"].errors
            assert 'role="alert"' in refused.content.decode()  # the form's reason, shown
    # The other street's own staff see their items (the refusal is the scope, not an empty list).
    other_staff = staff_of(django_user_model, wutong, "wutong-items")
    client.force_login(other_staff)
    threads = client.get("/admin/insights/items/", params(figure="forums.threads"))
    assert threads.status_code == 200


def test_every_list_exports_to_csv_as_shown_and_scoped(data, client, django_user_model):
    """?export=csv gives the page's rows (a BOM for Excel, a link's text, nothing personal); a list the user may
    not see, or an unknown format, is a 400 with the reason, not a file."""
    import csv
    import io

    cuihu, wutong = Region.objects.get(slug="cuihu"), Region.objects.get(slug="wutong")
    user = staff_of(django_user_model, cuihu, "cuihu-csv")
    client.force_login(user)
    other = Community.objects.filter(street=wutong).order_by("pk").first()
    exported = 0
    for figure in counted_figures():
        if figure.items is None:
            continue
        page = client.get("/admin/insights/items/", params(figure=figure.key))
        response = client.get("/admin/insights/items/", params(figure=figure.key, export="csv"))
        assert response.status_code == 200, figure.key
        assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
        body = response.content.decode("utf-8")
        assert body.startswith("\ufeff"), figure.key
        rows = list(csv.reader(io.StringIO(body[1:])))
        assert rows[0] == [str(c) for c in page.context["columns"]], figure.key
        assert len(rows) - 1 == len(page.context["rows"]), figure.key
        assert [row[0] for row in rows[1:]] == [str(row[0]) for row in page.context["rows"]], figure.key
        assert personal_text.find(body) == [], (figure.key, personal_text.find(body))
        exported += len(rows) - 1
        refused = client.get(
            "/admin/insights/items/", params(figure=figure.key, area=f"community:{other.pk}", export="csv")
        )
        assert refused.status_code == 400 and refused.content.strip(), figure.key
        assert not refused.get("Content-Disposition"), figure.key
    assert exported > 0
    for bad in ("xlsx", "pdf", "\x00"):
        response = client.get("/admin/insights/items/", params(figure="complaints.new", export=bad))
        assert response.status_code == 400 and response.content.strip()
    unknown = client.get("/admin/insights/items/", params(figure="no.such", export="csv"))
    assert unknown.status_code == 400 and unknown.content.strip()


def test_the_time_figures_list_their_complaints_with_the_hours_each_took(data):
    """First response and time to close are histograms: their lists are the complaints counted in them, each
    with its hours, which fall in the buckets the histogram counts."""
    communities = list(Community.objects.values_list("pk", flat=True))
    seen = set()
    for figure in registry.figures():
        if figure.kind != DURATION:
            continue
        assert figure.items is not None, f"{figure.key}: a time figure lists its complaints"
        for start, end in periods():
            histogram = Counter()
            for (_community, _dimension, bucket), value in rollup.compute(figure, start, end).items():
                histogram[bucket] += value
            columns, rows = figure.items(communities, start, end, None)
            listed_buckets = Counter(registry.bucket_for(row[-1]) for row in rows)
            if figure.key == "complaints.first_response":  # one first answer per complaint
                assert listed_buckets == histogram, (figure.key, start)
            else:  # a complaint closed twice in the period is counted twice, listed once
                assert set(listed_buckets) <= set(histogram), (figure.key, start)
                assert len(rows) <= sum(histogram.values()), (figure.key, start)
            if rows:
                seen.add(figure.key)
    assert seen == {"complaints.first_response", "complaints.time_to_close"}
