"""Lateness computed from the dates, exactly at the boundaries of Order No. 81."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.organisations.compliance import (
    annual_report_late,
    event_late,
    findings_for,
    months_before,
    project_update_late,
    report_years_due,
)
from communities.organisations.models import MajorEvent, OrganisationPage, ProjectUpdate

from .conftest import add_event, make_organisation, make_project, report


@pytest.mark.parametrize(
    "disclosed_on, late",
    [(date(2026, 5, 30), False), (date(2026, 5, 31), False), (date(2026, 6, 1), True), (None, False)],
)
def test_annual_report_due_31_may_of_the_next_year(disclosed_on, late):
    assert annual_report_late(2025, disclosed_on, today=date(2026, 5, 31)) is late


def test_a_missing_annual_report_is_late_from_1_june():
    assert annual_report_late(2025, None, today=date(2026, 5, 31)) is False
    assert annual_report_late(2025, None, today=date(2026, 6, 1)) is True


def test_report_years_due_start_from_the_rules_or_registration():
    assert report_years_due(date(2010, 1, 1), date(2026, 5, 31)) == []
    assert report_years_due(date(2010, 1, 1), date(2026, 6, 1)) == [2025]
    assert report_years_due(date(2026, 3, 1), date(2028, 6, 1)) == [2026, 2027]
    assert report_years_due(date(2010, 1, 1), date(2025, 6, 1), first_year=2020) == [2020, 2021, 2022, 2023, 2024]


@pytest.mark.parametrize(
    "occurred, disclosed, late",
    [
        (date(2026, 3, 1), date(2026, 3, 31), False),  # 30 days
        (date(2026, 3, 1), date(2026, 4, 1), True),  # 31 days
        (date(2024, 2, 1), date(2024, 3, 2), False),  # 30 days across 29 Feb of a leap year
        (date(2024, 2, 1), date(2024, 3, 3), True),  # 31 days across 29 Feb
        (date(2023, 2, 1), date(2023, 3, 3), False),  # 30 days in a common year
        (date(2023, 2, 1), date(2023, 3, 4), True),
        (date(2025, 12, 15), date(2026, 1, 14), False),  # across the new year
        (date(2025, 12, 15), date(2026, 1, 15), True),
    ],
)
def test_major_event_within_30_days(occurred, disclosed, late):
    assert event_late(occurred, disclosed, today=date(2030, 1, 1)) is late


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (date(2024, 5, 31), 3, date(2024, 2, 29)),  # leap year: clamps to 29 Feb
        (date(2023, 5, 31), 3, date(2023, 2, 28)),
        (date(2026, 3, 15), 3, date(2025, 12, 15)),  # across the year
        (date(2024, 2, 29), -3, date(2024, 5, 29)),
        (date(2026, 1, 31), 3, date(2025, 10, 31)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


@pytest.mark.parametrize(
    "last, today, late",
    [
        (date(2026, 3, 10), date(2026, 6, 10), False),  # exactly 3 months
        (date(2026, 3, 9), date(2026, 6, 10), True),
        (date(2024, 2, 29), date(2024, 5, 31), False),  # 31 May 2024 looks back to 29 Feb
        (date(2024, 2, 28), date(2024, 5, 31), True),
        (date(2023, 2, 28), date(2023, 5, 31), False),  # 31 May 2023 looks back to 28 Feb
        (date(2023, 2, 27), date(2023, 5, 31), True),
    ],
)
def test_project_update_every_3_months(last, today, late):
    assert project_update_late(last, today) is late


def test_findings_of_an_organisation_from_its_published_data(city):
    org = make_organisation(city["a1"], registration_date=date(2019, 5, 1))
    late_report = report(2025)
    late_report.page, late_report.disclosed_on = org, date(2026, 6, 1)
    late_report.save()
    add_event(org, occurred_on=date(2026, 3, 1), disclosed_on=date(2026, 3, 31), title="按时披露")
    add_event(org, occurred_on=date(2026, 3, 1), disclosed_on=date(2026, 4, 1), title="迟报关联交易")
    stale = make_project(org, 1, start_date=date(2026, 1, 1))
    ProjectUpdate.objects.create(
        page=stale, period_end=date(2026, 3, 31), summary="一季度", disclosed_on=date(2026, 4, 9)
    )
    fresh = make_project(org, 2, start_date=date(2026, 1, 1))
    ProjectUpdate.objects.create(
        page=fresh, period_end=date(2026, 3, 31), summary="一季度", disclosed_on=date(2026, 4, 10)
    )
    make_project(org, 3, start_date=date(2026, 1, 1), status="completed")  # finished projects need no updates

    found = {(f.kind, str(f.label)) for f in findings_for(org, today=date(2026, 7, 10))}
    assert found == {
        ("annual_report", "Annual report 2025"),
        ("major_event", "迟报关联交易"),
        ("project_update", "长者助餐项目1"),
    }
    org.financial_reports.update(disclosed_on=date(2026, 5, 31))  # a report disclosed on 31 May is on time
    found = {f.kind for f in findings_for(org, today=date(2026, 7, 9))}
    assert found == {"major_event"}  # and on 9 July the April update is exactly 3 months old


def test_compliance_view_is_scoped_to_the_workers_communities(client, city, editor_of, make_user):
    late_a = make_organisation(city["a1"], 1, title="甲社区迟报组织")
    add_event(late_a, occurred_on=date(2020, 1, 1), disclosed_on=date(2020, 6, 1))
    late_c = make_organisation(city["c1"], 2, title="丙社区迟报组织")
    add_event(late_c, occurred_on=date(2020, 1, 1), disclosed_on=date(2020, 6, 1))
    serving_a = make_organisation(city["c1"], 3, title="服务甲社区的组织")
    serving_a.communities.add(city["a1"])
    serving_a.save_revision().publish()
    add_event(serving_a, occurred_on=date(2020, 1, 1), disclosed_on=date(2020, 6, 1))

    client.force_login(editor_of(city["a1"]))
    page = client.get(reverse("organisations_compliance")).content.decode()
    assert "甲社区迟报组织" in page and "服务甲社区的组织" in page
    assert "丙社区迟报组织" not in page

    street_worker = make_user(is_staff=True)
    street_worker.groups.add(city["c1"].street.editors_group)
    client.force_login(street_worker)
    page = client.get(reverse("organisations_compliance")).content.decode()
    assert "丙社区迟报组织" in page and "服务甲社区的组织" in page
    assert "甲社区迟报组织" not in page
    assert timezone.localdate().isoformat() in page


def test_disclosure_dates_are_stamped_on_first_publication_and_kept_on_corrections(city):
    org = make_organisation(city["a1"], publish=False)
    org.major_events.add(MajorEvent(kind=MajorEvent.Kind.INVESTMENT, title="购买国债", occurred_on=date(2026, 1, 5)))
    org.save_revision().publish()
    event = MajorEvent.objects.get(page=org)
    assert event.disclosed_on == timezone.localdate()

    MajorEvent.objects.filter(pk=event.pk).update(disclosed_on=date(2026, 1, 20))
    correction = OrganisationPage.objects.get(pk=org.pk)
    correction.address, correction.change_note = "新地址", "更正办公地址"
    correction.save_revision().publish()
    assert MajorEvent.objects.get(page=org).disclosed_on == date(2026, 1, 20)
    assert MajorEvent.objects.get(page=org).pk == event.pk

    project = make_project(org, publish=False)
    project.updates.add(ProjectUpdate(period_end=date(2026, 3, 31), summary="一季度"))
    project.save_revision().publish()
    assert ProjectUpdate.objects.get(page=project).disclosed_on == timezone.localdate()
