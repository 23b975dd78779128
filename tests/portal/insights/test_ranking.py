"""The "by area" tables rank the areas by their first figure (highest first, ties by name) and end with the
average of the areas shown; the same in the page, the printable page, the CSV and the XLSX export."""

import csv
import io
import random
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.users.models import UserProfile

from communities.regions.models import Region
from participation.complaints import states
from participation.complaints.models import CaseState, Complaint
from portal.insights import rollup
from portal.insights.dashboard import rank_order

pytestmark = pytest.mark.django_db
URL = "/admin/insights/"


@pytest.fixture
def city3(db):
    from tests.conftest import build_city

    return build_city(communities_per_street=3)


def complain(community, category, count, rng, escalate=0):
    """`count` complaints in the last five days (`escalate` of them escalated to the city)."""
    start = timezone.now() - timedelta(days=5)
    for i in range(count):
        at = start + timedelta(minutes=rng.randrange(4 * 24 * 60))
        complaint = Complaint.objects.create(
            community=community, category=category, kind="hazard", description="x", address="某路1号", created_at=at
        )
        if i < escalate:
            states.move(complaint, CaseState.ACCEPTED, at=at + timedelta(minutes=5))
            states.move(complaint, CaseState.ESCALATED, at=at + timedelta(minutes=10))


def period():
    today = rollup.today()
    return {"start": (today - timedelta(days=6)).isoformat(), "end": today.isoformat()}


def test_rank_order_shares_ranks_on_ties_and_puts_missing_values_last():
    rows = [["丙", 3], ["甲", 5], ["乙", None], ["丁", 3], ["戊", 0]]
    ordered, ranks = rank_order(rows, 1)
    assert [r[0] for r in ordered] == ["甲", "丁", "丙", "戊", "乙"]  # ties by name (code point order)
    assert ranks == [1, 2, 2, 4, 5]


def test_areas_ranked_with_their_average(client, city3, categories, make_user):
    rng = random.Random(16)
    # Street a: a tie for second place, so the names decide; the other streets random (with ties likely).
    counts = {"a1": 3, "a2": 5, "a3": 3, **{slug: rng.randrange(7) for slug in city3 if slug[0] != "a"}}
    escalated = {slug: min(n, rng.randrange(3)) for slug, n in counts.items()}
    for slug, n in counts.items():
        complain(city3[slug], categories[0], n, rng, escalate=escalated[slug])
    rollup.rebuild(rollup.today() - timedelta(days=6), rollup.today() - timedelta(days=2))  # and live days
    boss = make_user("boss", is_staff=True, is_superuser=True)
    UserProfile.objects.update_or_create(user=boss, defaults={"preferred_language": "en"})
    client.force_login(boss)

    def by_area(params):
        response = client.get(URL, {**period(), **params})
        assert response.status_code == 200
        return next(t for t in response.context["tables"] if t.key == "complaints-by-area"), response

    # A street's communities: ranked by new complaints, the street's average at the foot.
    street_a = Region.objects.get(slug="street-a")
    table, response = by_area({"area": f"street:{street_a.pk}"})
    assert table.columns[:3] == ["Area", "Rank", "New complaints"]
    names = {slug: c.name for slug, c in city3.items()}
    assert [r[:3] for r in table.rows] == [[names["a2"], 1, 5], [names["a1"], 2, 3], [names["a3"], 2, 3]]
    assert table.footer[:3] == ["Average", "", round(11 / 3, 1)]
    escalated_column = table.columns.index("Escalated to the city, of new complaints (%)")
    a_escalated = sum(escalated[s] for s in ("a1", "a2", "a3"))
    assert table.footer[escalated_column] == round(100 * a_escalated / 11, 1)  # the ratio of the street's sums
    assert table.links[0].endswith(f"area=community%3A{city3['a2'].pk}")  # links follow the rows
    assert table.chart["labels"] == [names["a2"], names["a1"], names["a3"]]
    assert table.chart["regions"] == [city3["a2"].pk, city3["a1"].pk, city3["a3"].pk]
    assert all(series["name"] != "Rank" for series in table.chart["series"])
    body = response.content.decode()
    assert '<th scope="col">Rank</th>' in body
    assert '<tfoot><tr><th scope="row">Average</th><td></td><td>3.7</td>' in body

    # The city: its districts, against the numbers generated.
    table, _response = by_area({})
    by_district = Counter()
    for slug, n in counts.items():
        by_district[city3[slug].street.parent.name] += n
    expected = sorted(by_district.items(), key=lambda item: (-item[1], item[0]))
    assert [(r[0], r[2]) for r in table.rows] == expected
    assert [r[1] for r in table.rows] == ([1, 1] if expected[0][1] == expected[1][1] else [1, 2])
    assert table.footer[2] == round(sum(counts.values()) / 2, 1)

    # The exports and the printed page carry the rank and the average.
    params = {**period(), "area": f"street:{street_a.pk}"}
    text = client.get(URL, {**params, "export": "csv", "table": "complaints-by-area"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Area", "Rank", "New complaints"]
    assert [r[:3] for r in rows[1:]] == [
        [names["a2"], "1", "5"],
        [names["a1"], "2", "3"],
        [names["a3"], "2", "3"],
        ["Average", "", "3.7"],
    ]
    book = load_workbook(io.BytesIO(client.get(URL, {**params, "export": "xlsx"}).content))
    sheet = next(ws for ws in book.worksheets if ws.title.endswith("by area"))
    values = [[c.value for c in row][:3] for row in sheet.iter_rows(min_row=2)]
    assert values[0] == ["Area", "Rank", "New complaints"]
    assert values[1:] == [[names["a2"], 1, 5], [names["a1"], 2, 3], [names["a3"], 2, 3], ["Average", None, 3.7]]
    printed = client.get(URL, {**params, "print": "1"}).content.decode()
    assert '<th scope="row">Average</th>' in printed and '<th scope="col">Rank</th>' in printed

    # In Chinese: 排名 and 平均.
    UserProfile.objects.filter(user=boss).update(preferred_language="zh-hans")
    table, response = by_area({"area": f"street:{street_a.pk}"})
    assert table.columns[:2] == ["区域", "排名"] and table.footer[0] == "平均"
    assert '<th scope="row">平均</th>' in response.content.decode()
