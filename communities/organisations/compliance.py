"""Which organisations are late with a disclosure, computed from the dates (MCA Order No. 81).

* the annual report of year Y is due by 31 May of Y+1;
* a major event is due within 30 days of the day it occurred;
* an ongoing project needs a progress update at least every 3 months.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EVENT_DISCLOSURE_DAYS = 30
PROJECT_UPDATE_MONTHS = 3
# Order No. 81 is in force from 2026-01-01: the first annual report it requires is the one for 2025.
FIRST_REPORT_YEAR = 2025


def annual_report_deadline(year: int) -> date:
    return date(year + 1, 5, 31)


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier, or the last day of that month if it is shorter (31 May -> 29 Feb)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def report_years_due(registered_on: date, today: date, first_year: int = FIRST_REPORT_YEAR) -> list[int]:
    """Years whose annual report deadline has passed, from the later of registration and the first year."""
    start = max(registered_on.year, first_year)
    last = today.year - 1 if today > annual_report_deadline(today.year - 1) else today.year - 2
    return list(range(start, last + 1))


def annual_report_late(year: int, disclosed_on: date | None, today: date) -> bool:
    deadline = annual_report_deadline(year)
    if disclosed_on is None:
        return today > deadline
    return disclosed_on > deadline


def event_late(occurred_on: date, disclosed_on: date | None, today: date) -> bool:
    deadline = occurred_on + timedelta(days=EVENT_DISCLOSURE_DAYS)
    return (disclosed_on or today) > deadline


def project_update_late(last_update: date, today: date) -> bool:
    """Late when the latest update (or the start, before any) is older than 3 months."""
    return last_update < months_before(today, PROJECT_UPDATE_MONTHS)


@dataclass
class Finding:
    organisation: object
    kind: str
    label: str
    detail: str
    due: date


def ongoing_projects(organisations) -> dict:
    """{organisation path: [live ongoing projects with their updates]} in one query per 100 organisations."""
    from django.db.models import Q
    from wagtail.models import Page

    from .models import ProjectPage

    found = {}
    organisations = list(organisations)
    for start in range(0, len(organisations), 100):
        under = Q(pk__in=[])
        for org in organisations[start : start + 100]:
            under |= Q(path__startswith=org.path, depth=org.depth + 1)
        projects = ProjectPage.objects.live().filter(under, status=ProjectPage.Status.ONGOING)
        for project in projects.prefetch_related("updates"):
            found.setdefault(project.path[: -Page.steplen], []).append(project)
    return found


def findings_for(organisation, today: date | None = None, projects=None) -> list[Finding]:
    """Everything an organisation is late with today, from its published data."""
    from .models import FinancialReport

    today = today or timezone.localdate()
    findings = []
    reports = organisation.financial_reports.all()
    annual = {r.year: r for r in reports if r.period == FinancialReport.Period.ANNUAL}
    for year in report_years_due(organisation.registration_date, today):
        report = annual.get(year)
        disclosed = report.disclosed_on if report else None
        if annual_report_late(year, disclosed, today):
            detail = _("disclosed on %(date)s") % {"date": disclosed} if disclosed else _("not disclosed")
            findings.append(
                Finding(
                    organisation,
                    "annual_report",
                    _("Annual report %(year)s") % {"year": year},
                    detail,
                    annual_report_deadline(year),
                )
            )
    for event in organisation.major_events.all():
        if event_late(event.occurred_on, event.disclosed_on, today):
            findings.append(
                Finding(
                    organisation,
                    "major_event",
                    event.title,
                    _("occurred on %(occurred)s, disclosed on %(disclosed)s")
                    % {"occurred": event.occurred_on, "disclosed": event.disclosed_on or "-"},
                    event.occurred_on + timedelta(days=EVENT_DISCLOSURE_DAYS),
                )
            )
    if projects is None:
        projects = ongoing_projects([organisation]).get(organisation.path, [])
    for project in projects:
        disclosed = [u.disclosed_on for u in project.updates.all() if u.disclosed_on]
        last = max(disclosed) if disclosed else project.start_date
        if last <= today and project_update_late(last, today):
            findings.append(
                Finding(
                    organisation,
                    "project_update",
                    project.title,
                    _("last update %(date)s") % {"date": last}
                    if disclosed
                    else _("no update since the start on %(date)s") % {"date": last},
                    months_before(last, -PROJECT_UPDATE_MONTHS),
                )
            )
    return findings


def late_organisations(organisations, today: date | None = None):
    """[(organisation, [findings])] for the organisations that are late with anything."""
    result = []
    organisations = list(organisations)
    projects = ongoing_projects(organisations)
    for organisation in organisations:
        found = findings_for(organisation, today, projects.get(organisation.path, []))
        if found:
            result.append((organisation, found))
    return result
