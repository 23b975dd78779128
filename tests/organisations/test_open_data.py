"""Open data: CSV with a BOM and Chinese text, columns as datapackage.json says, JSON with the same figures."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from communities.organisations.models import EXPENSE_CATEGORIES, INCOME_CATEGORIES, MajorEvent

from .conftest import add_event, credit_code, make_organisation, make_project, report

BASE = "/api/v1/organisations/"
TABLES = ["organisations", "financial-lines", "projects", "transactions"]


@pytest.fixture
def published(city):
    org = make_organisation(city["a1"], 1, title="翠园为老服务中心")
    for year, grants in [(2024, "12345.67"), (2025, "20000.01")]:
        r = report(year, government_grants_restricted=Decimal(grants), management=Decimal("100.10"))
        r.page = org
        r.save()
    add_event(org, occurred_on=date(2025, 8, 1), disclosed_on=date(2025, 8, 20))
    make_project(org, 1)
    other = make_organisation(
        city["c1"], 2, title="丙社区志愿者协会", credit_code=credit_code(2, "51"), legal_form="social_group"
    )
    return org, other


def rows(response):
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf"), "the CSV opens with a UTF-8 byte order mark"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_has_bom_chinese_text_and_the_columns_of_the_datapackage(client, published):
    package = client.get(BASE + "datapackage.json").json()
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    described = {r["name"]: r for r in package["resources"]}
    assert sorted(described) == sorted(TABLES)
    for table in TABLES:
        response = client.get(BASE + f"{table}.csv")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert header == [f["name"] for f in described[table]["schema"]["fields"]]
        assert described[table]["path"].endswith(f"{BASE}{table}.csv")
        assert described[table]["encoding"] == "utf-8-sig"
        assert all(
            f["type"] in {"string", "number", "integer", "date", "datetime", "boolean"}
            for f in described[table]["schema"]["fields"]
        )
    organisations = rows(client.get(BASE + "organisations.csv"))
    names = {r["name"] for r in organisations}
    assert "翠园为老服务中心" in names
    assert all(r["org_id"] == "CN-USCI-" + r["credit_code"] for r in organisations)


def test_one_fact_per_row_and_json_round_trip_gives_the_same_figures(client, published):
    org, _ = published
    lines = rows(client.get(BASE + "financial-lines.csv"))
    per_report = len(INCOME_CATEGORIES) * 2 + len(EXPENSE_CATEGORIES)
    assert len(lines) == 2 * per_report
    grants = [r for r in lines if r["category"] == "government_grants" and r["restriction"] == "restricted"]
    assert [(r["year"], r["amount_cny"]) for r in grants] == [("2024", "12345.67"), ("2025", "20000.01")]

    data = client.get(BASE + "financial-lines.json").json()["data"]
    assert len(data) == len(lines)
    for csv_row, json_row in zip(lines, data, strict=True):
        assert Decimal(csv_row["amount_cny"]) == Decimal(str(json_row["amount_cny"]))
        assert {k: "" if v is None else str(v) for k, v in json_row.items() if k not in {"amount_cny", "audited"}} == {
            k: v for k, v in csv_row.items() if k not in {"amount_cny", "audited"}
        }
        assert json_row["audited"] is (csv_row["audited"] == "true")
    # the figures add up to the stated totals, as in the database
    for r in org.financial_reports.all():
        income = sum(Decimal(str(j["amount_cny"])) for j in data if j["year"] == r.year and j["statement"] == "income")
        expense = sum(
            Decimal(str(j["amount_cny"])) for j in data if j["year"] == r.year and j["statement"] == "expense"
        )
        assert (income, expense) == (r.total_income, r.total_expenses)

    projects = client.get(BASE + "projects.json").json()["data"]
    assert [(p["title"], Decimal(str(p["budget_cny"])), Decimal(str(p["actual_spending_cny"]))) for p in projects] == [
        ("长者助餐项目1", Decimal("50000.00"), Decimal("32000.50"))
    ]
    events = client.get(BASE + "transactions.json").json()["data"]
    assert [(e["kind"], e["occurred_on"], e["disclosed_on"]) for e in events] == [
        (MajorEvent.Kind.RELATED_PARTY, "2025-08-01", "2025-08-20")
    ]


def test_filters_by_community_and_period(client, published, city):
    org, other = published
    a1 = client.get(BASE + "organisations.json", {"community": "a1"}).json()["data"]
    assert [o["org_id"] for o in a1] == [org.org_id]
    c1 = client.get(BASE + "organisations.json", {"community": "c1"}).json()["data"]
    assert [o["org_id"] for o in c1] == [other.org_id]
    lines_2025 = rows(client.get(BASE + "financial-lines.csv", {"period": "2025", "community": "a1"}))
    assert {r["year"] for r in lines_2025} == {"2025"}
    assert client.get(BASE + "financial-lines.json", {"community": "c1"}).json()["count"] == 0
    assert client.get(BASE + "transactions.json", {"period": "2024"}).json()["count"] == 0


@pytest.mark.parametrize(
    "table, params, reason",
    [
        ("financial-lines.csv", {"period": "20x5"}, "period must be a year"),
        ("financial-lines.json", {"period": "1800"}, "period must be a year"),
        ("projects.csv", {"community": "nowhere"}, "No community with the slug 'nowhere'"),
        ("organisations.csv", {"period": "2025"}, "has no period"),
        ("transactions.json", {"year": "2025"}, "Unknown filter(s): year"),
    ],
)
def test_bad_filters_get_400_with_a_reason(client, published, table, params, reason):
    response = client.get(BASE + table, params)
    assert response.status_code == 400
    assert reason in response.content.decode()


def test_unknown_table_is_404(client, city):
    assert client.get(BASE + "people.csv").status_code == 404


def test_only_published_data_is_exported(client, city):
    draft = make_organisation(city["a1"], 7, title="草稿组织", publish=False)
    live = make_organisation(city["a1"], 8, title="已发布组织")
    revision = live.save_revision()  # an unapproved change to the live page
    live.title = "未审核的新名称"
    live.save_revision()
    assert revision
    body = client.get(BASE + "organisations.csv").content.decode("utf-8-sig")
    assert "已发布组织" in body
    assert "草稿组织" not in body and draft.credit_code not in body
    assert "未审核的新名称" not in body
