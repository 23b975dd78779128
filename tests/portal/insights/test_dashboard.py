"""The dashboard through the real admin: scoped figures, drill-down, exports, bad input."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal.insights import query, rollup
from portal.insights.query import InsightsError, figures_by_region
from portal.search import places

from .conftest import generate_complaints

pytestmark = pytest.mark.django_db
URL = "/admin/insights/"


@pytest.fixture
def data(city, categories):
    made = generate_complaints(list(city.values()), categories, days=6, count=45, seed=3)
    rollup.rebuild(rollup.today() - timedelta(days=6), rollup.today() - timedelta(days=3))
    return made


def staff(make_user, group, name):
    user = make_user(name, is_staff=True)
    user.groups.add(group)
    return user


def period(days=6):
    today = rollup.today()
    return {"start": (today - timedelta(days=days)).isoformat(), "end": today.isoformat()}


def test_menu_and_dashboard_for_the_city(client, city, data, make_user):
    admin = make_user("boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    menu = client.get("/admin/")
    assert reverse("insights_admin:index") in menu.content.decode()
    response = client.get(URL, period())
    assert response.status_code == 200
    body = response.content.decode()
    assert "data-chart=" in body and "<table" in body
    tables = {t.key: t for t in response.context["tables"]}
    assert {"complaints-summary", "complaints-by-area", "complaints-by-category"} <= set(tables)
    new_total = tables["complaints-summary"].rows[0][1]  # the first figure: new complaints
    created = [c for c in data if c.created_at >= rollup.day_bounds(rollup.today() - timedelta(days=6))[0]]
    assert new_total == len(created)
    # The city's breakdown is by district, each linking to its own dashboard.
    assert response.context["tables"][1].chart["level"] == "district"
    assert "area=district" in body
    assert "items/?start=" in body and "figure=complaints.open" in body
    # Week by week: the weeks' new complaints add up to the period's; the last week's open level is the total's.
    weekly = tables["complaints-by-week"]
    assert sum(r[1] for r in weekly.rows) == new_total
    open_total = next(r[1] for r in tables["complaints-summary"].rows if r[0] == weekly.columns[2])
    assert weekly.rows[-1][2] == open_total
    assert weekly.rows[0][0].startswith(period()["start"])


def test_street_staff_see_only_their_communities(client, city, data, make_user):
    street = city["a1"].street
    user = staff(make_user, street.editors_group, "street-a")
    client.force_login(user)
    response = client.get(URL, period())
    assert response.status_code == 200
    a1 = city["a1"]
    names = {r[0] for t in response.context["tables"] if t.key.endswith("by-area") for r in t.rows}
    # One community in the street: no by-area table, or one naming only a1.
    assert names <= {a1.name}
    summary = next(t for t in response.context["tables"] if t.key == "complaints-summary")
    new = next(r for r in summary.rows if r[0] == summary.rows[0][0])[1]
    assert new == sum(
        1
        for c in data
        if c.community_id == a1.pk and c.created_at >= rollup.day_bounds(rollup.today() - timedelta(days=6))[0]
    )
    for other in ("b1", "c1"):
        assert city[other].name not in response.content.decode()
    # Exports hold the same scope.
    export = client.get(URL, {**period(), "export": "csv", "table": "complaints-summary"})
    assert export.status_code == 200
    text = export.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][1] == str(new)
    workbook = client.get(URL, {**period(), "export": "xlsx"})
    sheets = load_workbook(io.BytesIO(workbook.content))
    cells = " ".join(str(c.value) for ws in sheets.worksheets for row in ws.iter_rows() for c in row)
    for other in ("b1", "c1"):
        assert city[other].name not in cells
    # Another street's community is not a choice: a form error, not its figures.
    refused = client.get(URL, {**period(), "area": f"community:{city['b1'].pk}"})
    assert refused.status_code == 400
    assert "area" in refused.context["form"].errors
    assert city["b1"].name not in refused.content.decode()


def test_community_worker_sees_the_street_average(client, city, data, make_user, categories):
    from participation.complaints.models import Complaint

    # A second community in a1's street, with complaints of its own: only its average share may show.
    neighbour = city["a1"]
    worker = staff(make_user, neighbour.editors_group, "worker-a1")
    client.force_login(worker)
    response = client.get(URL, period())
    summary = next(t for t in response.context["tables"] if t.key == "complaints-summary")
    assert len(summary.columns) == 5  # value, the street's average, a year earlier and the change
    assert all(row[3] is None for row in summary.rows)  # no complaints a year earlier: nothing to compare
    new_row = summary.rows[0]
    mine = Complaint.objects.filter(
        community=neighbour, created_at__gte=rollup.day_bounds(rollup.today() - timedelta(days=6))[0]
    ).count()
    street_ids = {c for c, p in places.all_places().items() if p.street_id == neighbour.street_id}
    street_total = Complaint.objects.filter(
        community_id__in=street_ids, created_at__gte=rollup.day_bounds(rollup.today() - timedelta(days=6))[0]
    ).count()
    assert new_row[1] == mine
    assert new_row[2] == round(street_total / len(street_ids), 1)
    items = client.get(
        reverse("insights_admin:items"), {**period(), "figure": "complaints.new", "area": f"community:{neighbour.pk}"}
    )
    assert items.status_code == 200
    assert len(items.context["rows"]) == mine
    body = items.content.decode()
    assert "某路1号" not in body and "问题" not in body  # no address, no text: nothing personal


@pytest.mark.parametrize(
    "params, field",
    [
        ({"start": "2026-05-02", "end": "2026-05-01"}, "end"),
        ({"start": "not a date"}, "start"),
        ({"area": "street:999999"}, "area"),
        ({"area": "nonsense"}, "area"),
        ({"category": "no-such-category"}, "category"),
        ({"start": "1900-01-01", "end": "2026-01-01"}, "end"),
    ],
)
def test_bad_filters_are_form_errors(client, city, categories, make_user, params, field):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    response = client.get(URL, {**period(), **params})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    export = client.get(URL, {**period(), **params, "export": "xlsx"})
    assert export.status_code == 400


def test_unknown_table_and_format_are_400(client, city, categories, make_user):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    assert client.get(URL, {**period(), "export": "csv", "table": "nope"}).status_code == 400
    assert client.get(URL, {**period(), "export": "pdf"}).status_code == 400
    assert client.get(reverse("insights_admin:items"), {**period(), "figure": "nope"}).status_code == 400


def test_residents_are_refused(client, city, make_user):
    client.force_login(make_user("resident"))
    assert client.get(URL).status_code in (302, 403)


def test_figures_by_region_is_scoped(city, data, make_user):
    street_user = staff(make_user, city["a1"].street.editors_group, "street-a")
    today = rollup.today()
    start = today - timedelta(days=6)
    mine = figures_by_region(street_user, "complaints.new", start, today)
    assert set(mine) <= {city["a1"].pk}
    admin = make_user("boss", is_staff=True, is_superuser=True)
    everyone = figures_by_region(admin, "complaints.new", start, today)
    assert everyone.get(city["a1"].pk) == mine.get(city["a1"].pk)
    by_district = figures_by_region(admin, "complaints.new", start, today, level="district")
    assert sum(by_district.values()) == sum(everyone.values())
    median = figures_by_region(admin, "complaints.time_to_close", start, today, level="street", statistic="p90")
    assert all(v is None or v > 0 for v in median.values())
    for bad in (
        {"figure_key": "nope"},
        {"level": "planet"},
        {"region": ("street", city["b1"].street_id)},
        {"region": ("street", 987654)},
        {"end": start - timedelta(days=1)},
    ):
        kwargs = {"figure_key": "complaints.new", "start": start, "end": today, **bad}
        with pytest.raises(InsightsError):
            figures_by_region(street_user, kwargs.pop("figure_key"), kwargs.pop("start"), kwargs.pop("end"), **kwargs)
    assert query.scoped_community_ids(make_user("nobody")) == set()


@pytest.fixture
def city2(db):
    from tests.conftest import build_city

    return build_city(communities_per_street=2)


def test_two_communities_a_street_street_staff_and_community_worker(client, city2, categories, make_user):
    from participation.complaints.models import Complaint

    generate_complaints(list(city2.values()), categories, days=4, count=60, seed=9)
    a1, a2, b1 = city2["a1"], city2["a2"], city2["b1"]
    start = rollup.day_bounds(rollup.today() - timedelta(days=6))[0]
    new = {c.pk: Complaint.objects.filter(community=c, created_at__gte=start).count() for c in city2.values()}
    assert new[a1.pk] and new[a2.pk] and new[b1.pk]

    # The street's staff: a1 and a2 side by side, nothing of b1, in the page and in both exports.
    client.force_login(staff(make_user, a1.street.editors_group, "street-a"))
    page = client.get(URL, period())
    by_area = next(t for t in page.context["tables"] if t.key == "complaints-by-area")
    assert {r[0]: r[2] for r in by_area.rows} == {a1.name: new[a1.pk], a2.name: new[a2.pk]}  # r[1]: the rank
    assert b1.name not in page.content.decode()
    for export in ({"export": "csv", "table": "complaints-by-area"}, {"export": "xlsx"}):
        response = client.get(URL, {**period(), **export})
        assert response.status_code == 200
        if export["export"] == "csv":
            text = response.content.decode("utf-8-sig")
        else:
            book = load_workbook(io.BytesIO(response.content))
            text = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row)
        assert a1.name in text and a2.name in text and b1.name not in text
    # Drilling down to a1 lists its complaints only.
    items = client.get(
        reverse("insights_admin:items"), {**period(), "figure": "complaints.new", "area": f"community:{a1.pk}"}
    )
    assert len(items.context["rows"]) == new[a1.pk]

    # a1's worker: a1's figure beside the street's average; a2's own figure nowhere, a2 not a choice.
    client.force_login(staff(make_user, a1.editors_group, "worker-a1"))
    page = client.get(URL, period())
    summary = next(t for t in page.context["tables"] if t.key == "complaints-summary")
    assert summary.rows[0][1:3] == [new[a1.pk], round((new[a1.pk] + new[a2.pk]) / 2, 1)]
    assert summary.rows[0][3:] == [None, None]  # nothing a year earlier to compare with
    assert not any(t.key.endswith("by-area") for t in page.context["tables"])
    assert a2.name not in page.content.decode()
    assert client.get(URL, {**period(), "area": f"community:{a2.pk}"}).status_code == 400
    refused = client.get(
        reverse("insights_admin:items"), {**period(), "figure": "complaints.new", "area": f"community:{a2.pk}"}
    )
    assert refused.status_code == 400 and not refused.context["rows"]


def test_staff_enter_their_communitys_population_in_the_admin(client, city, make_user):
    from communities.regions.models import Community

    worker = staff(make_user, city["a1"].editors_group, "worker-a1")
    client.force_login(worker)
    edit = reverse("communities:edit", args=[city["a1"].pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"population": "12345"})
    assert response.status_code == 302
    assert Community.objects.get(pk=city["a1"].pk).population == 12345
    assert client.post(edit, {"population": "-5"}).status_code == 200  # a form error, nothing saved
    assert Community.objects.get(pk=city["a1"].pk).population == 12345
    assert client.post(reverse("communities:edit", args=[city["b1"].pk]), {"population": "1"}).status_code == 404
    assert Community.objects.get(pk=city["b1"].pk).population is None
    assert client.get(reverse("communities:delete", args=[city["a1"].pk])).status_code in (403, 404, 302)
