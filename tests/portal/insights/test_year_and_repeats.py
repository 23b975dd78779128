"""Complaints against the same period a year earlier, and repeat complaints at the same place, through the
real admin (scoped to a street's staff), in the page, the drill-down and the exports."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.users.models import UserProfile

from participation.complaints.models import Complaint
from portal.insights import rollup
from portal.insights.dashboard import change_percent, year_earlier

pytestmark = pytest.mark.django_db
URL = "/admin/insights/"


def complaint(community, category, days_ago, *, lat=None, lon=None, address="某路1号"):
    at = rollup.day_bounds(rollup.today() - timedelta(days=days_ago))[0] + timedelta(hours=10)
    return Complaint.objects.create(
        community=community,
        category=category,
        kind=Complaint.Kind.HAZARD,
        description="楼下噪音，联系我13812345678",
        address=address,
        created_at=at,
        latitude=None if lat is None else Decimal(f"{lat:.6f}"),
        longitude=None if lon is None else Decimal(f"{lon:.6f}"),
    )


def street_staff(make_user, community):
    user = make_user(f"street-{community.slug}", is_staff=True)
    user.groups.add(community.street.editors_group)
    UserProfile.get_for_user(user).__class__.objects.filter(user=user).update(preferred_language="en")
    return user


def period():
    today = rollup.today()
    return {"start": (today - timedelta(days=20)).isoformat(), "end": today.isoformat()}


def summary_of(response):
    table = next(t for t in response.context["tables"] if t.key == "complaints-summary")
    return table, {row[0]: row for row in table.rows}


def test_year_earlier_helpers():
    from datetime import date

    assert year_earlier(date(2028, 2, 29)) == date(2027, 2, 28)
    assert year_earlier(date(2026, 12, 4)) == date(2025, 12, 4)
    assert change_percent(15, 10) == 50.0
    assert change_percent(5, 0) is None and change_percent(None, 3) is None


def test_the_same_period_a_year_earlier_beside_each_figure(client, city, categories, make_user):
    a1, b1 = city["a1"], city["b1"]
    noise = categories[0]
    for days in (1, 3, 5, 8):
        complaint(a1, noise, days)
    for days in (2, 9):  # a year earlier: two in a1, inside the period shifted back a year
        complaint(a1, noise, days + (rollup.today() - year_earlier(rollup.today())).days)
    for days in (1, 2, 3):  # b1 is another street's, a year earlier too: never counted for a1's street
        complaint(b1, noise, days)
        complaint(b1, noise, days + 365)
    # Half the earlier period rolled up, the rest computed live: the same answer either way.
    earlier_end = year_earlier(rollup.today())
    rollup.rebuild(earlier_end - timedelta(days=20), earlier_end - timedelta(days=5))

    client.force_login(street_staff(make_user, a1))
    response = client.get(URL, period())
    assert response.status_code == 200
    table, rows = summary_of(response)
    assert table.columns[-2:] == ["Same period a year earlier", "Change from a year earlier (%)"]
    new = rows["New complaints"]
    assert new[1] == 4 and new[-2:] == [2, 100.0]  # (a single community: the street's average between)
    assert "A year earlier" in table.summary

    # The exports carry both columns.
    text = client.get(URL, {**period(), "export": "csv", "table": "complaints-summary"}).content.decode("utf-8-sig")
    exported = {row[0]: row for row in csv.reader(io.StringIO(text))}
    assert exported["New complaints"][1] == "4" and exported["New complaints"][-2:] == ["2", "100.0"]
    workbook = load_workbook(io.BytesIO(client.get(URL, {**period(), "export": "xlsx"}).content))
    sheet = workbook.worksheets[0]  # the complaints' summary comes first
    values = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert values["New complaints"][1] == 4 and values["New complaints"][-2:] == (2, 100)


def test_no_history_a_year_earlier_is_no_comparison(client, city, categories, make_user):
    complaint(city["a1"], categories[0], 2)
    client.force_login(street_staff(make_user, city["a1"]))
    table, rows = summary_of(client.get(URL, period()))
    assert all(row[-2] is None and row[-1] is None for row in table.rows)
    assert "There are no figures for the same period a year earlier." in table.summary
    assert rows["New complaints"][1] == 1


def test_repeat_complaints_at_the_same_place(client, city, categories, make_user):
    a1, b1 = city["a1"], city["b1"]
    noise, road = categories
    lat, lon = 30.6, 114.3
    metre = 1 / 111_320
    first = complaint(a1, noise, 15, lat=lat, lon=lon, address="某路12号3单元")
    repeat = complaint(a1, road, 5, lat=lat + 30 * metre, lon=lon, address="某路12号3单元")  # 30 m north
    complaint(a1, noise, 4, lat=lat + 200 * metre, lon=lon)  # 200 m away: not the same place
    complaint(a1, noise, 200, lat=lat, lon=lon)  # too long before anything
    complaint(a1, noise, 110, lat=lat, lon=lon)  # 95 days before `first`: `first` is no repeat of it
    complaint(a1, noise, 3)  # no point: never a repeat
    complaint(b1, noise, 2, lat=lat, lon=lon)  # the same place, but another community (another street)
    complaint(b1, noise, 1, lat=lat, lon=lon)  # ...whose own repeat the street staff of a1 never see
    rollup.rebuild(rollup.today() - timedelta(days=20), rollup.today() - timedelta(days=3))

    client.force_login(street_staff(make_user, a1))
    response = client.get(URL, period())
    _table, rows = summary_of(response)
    label = "Repeat complaints at the same place (within 50 m and 90 days)"
    assert rows[label][1] == 1
    items = client.get(reverse("insights_admin:items"), {**period(), "figure": "complaints.repeat"})
    assert items.status_code == 200
    assert [row[0] for row in items.context["rows"]] == [repeat.pk]
    row = items.context["rows"][0]
    assert row[-1] == first.pk  # the complaint it repeats
    assert row[-3] == "某路*号*单元"  # the place without its numbers
    body = items.content.decode()
    assert "12号" not in body and "13812345678" not in body and "噪音" not in body

    # The city sees both communities' repeats.
    boss = make_user("boss", is_staff=True, is_superuser=True)
    UserProfile.get_for_user(boss).__class__.objects.filter(user=boss).update(preferred_language="en")
    client.force_login(boss)
    _table, rows = summary_of(client.get(URL, period()))
    assert rows[label][1] == 2
