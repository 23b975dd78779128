"""Social organisations' disclosure for decision support (portal.insights): the compliance rules
(communities.organisations.compliance) applied as of the end of a period, counted per community.

On time: disclosed by its deadline. Late: disclosed after it. Missing: past its deadline, not disclosed
by the end of the period. Annual reports and major events; an organisation counts in its home community."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.regions.insights import community_of_path, community_roots
from communities.regions.models import Community
from portal.accounts import personal_text
from portal.insights import query, registry
from portal.insights.registry import LEVEL, Figure, Link, Section

from . import compliance
from .models import EXPENSE_CATEGORIES, INCOME_CATEGORIES, FinancialReport, MajorEvent, OrganisationPage

ON_TIME, LATE, MISSING = "on_time", "late", "missing"


def disclosure_counts(end) -> dict[tuple[int, str], int]:
    """{(community_id, outcome): n}, read once per dashboard for the three outcomes (query.shared)."""
    return query.shared(("organisations.disclosures", end), lambda: _disclosure_counts(end))


def _disclosure_counts(end) -> dict[tuple[int, str], int]:
    counts: dict = {}
    for found in disclosures(end):
        key = (found.community_id, found.outcome)
        counts[key] = counts.get(key, 0) + 1
    return counts


@dataclass(frozen=True)
class Disclosure:
    """One disclosure due by the end of a period (an annual report, a major event) and how it went."""

    community_id: int
    outcome: str
    organisation: OrganisationPage
    what: str
    due: date
    disclosed_on: date | None


def disclosures(end) -> list[Disclosure]:
    """Every disclosure counted as on time, late or missing at `end` (read once per dashboard, query.shared)."""
    return query.shared(("organisations.disclosure_items", end), lambda: _disclosures(end))


def _disclosures(end) -> list[Disclosure]:
    today = timezone.localdate(end - timedelta(microseconds=1))
    roots = community_roots()
    found: list = []
    organisations = OrganisationPage.objects.live().prefetch_related("financial_reports", "major_events")
    for organisation in organisations:
        community_id = community_of_path(organisation.path, roots)
        if community_id is None:
            continue

        def add(outcome, what, due, disclosed, organisation=organisation, community_id=community_id):
            found.append(Disclosure(community_id, outcome, organisation, what, due, disclosed))

        annual = {
            r.year: r.disclosed_on
            for r in organisation.financial_reports.all()
            if r.period == FinancialReport.Period.ANNUAL and r.disclosed_on and r.disclosed_on <= today
        }
        for year in compliance.report_years_due(organisation.registration_date, today):
            disclosed = annual.get(year)
            what = _("Annual report %(year)s") % {"year": year}
            due = compliance.annual_report_deadline(year)
            if disclosed is None:
                add(MISSING, what, due, None)
            else:
                add(LATE if compliance.annual_report_late(year, disclosed, today) else ON_TIME, what, due, disclosed)
        for event in organisation.major_events.all():
            if event.occurred_on > today:
                continue
            disclosed = event.disclosed_on if event.disclosed_on and event.disclosed_on <= today else None
            what = _("Major event: %(title)s") % {"title": personal_text.mask(event.title)}
            due = event.occurred_on + timedelta(days=compliance.EVENT_DISCLOSURE_DAYS)
            if disclosed is not None:
                late = compliance.event_late(event.occurred_on, disclosed, today)
                add(LATE if late else ON_TIME, what, due, disclosed)
            elif compliance.event_late(event.occurred_on, None, today):
                add(MISSING, what, due, None)
    return found


def disclosure_items(wanted):
    """The disclosures behind an outcome's count: organisation (linking to its page), community, what was due,
    the deadline and when it was disclosed. Organisations' public disclosures: nothing personal."""

    def items(community_ids, start, end, dimension=None):
        names = dict(Community.objects.filter(pk__in=community_ids).values_list("pk", "name"))
        rows = [
            (
                Link(d.organisation.title, d.organisation.get_full_url()),
                names[d.community_id],
                str(d.what),
                d.due.isoformat(),
                d.disclosed_on.isoformat() if d.disclosed_on else None,
            )
            for d in disclosures(end)
            if d.outcome == wanted and d.community_id in names
        ]
        columns = [_("Organisation"), _("Community"), _("Disclosure"), _("Due by"), _("Disclosed on")]
        return columns, sorted(rows, key=lambda row: (row[1], str(row[0]), row[3]))[:500]

    return items


def outcome(wanted):
    def compute(start, end):
        for (community_id, found), n in disclosure_counts(end).items():
            if found == wanted:
                yield community_id, "", 0, n

    return compute


def latest_annual_reports(end) -> list[tuple[int, FinancialReport]]:
    """[(community_id, report)]: each live organisation's latest annual report disclosed by the end of the
    period (the one a reader of its disclosures saw then), in the organisation's home community (read once per
    dashboard for income and spending)."""
    return query.shared(("organisations.annual_reports", end), lambda: _latest_annual_reports(end))


def _latest_annual_reports(end) -> list[tuple[int, FinancialReport]]:
    today = timezone.localdate(end - timedelta(microseconds=1))
    roots = community_roots()
    reports = (
        FinancialReport.objects.filter(period=FinancialReport.Period.ANNUAL, disclosed_on__lte=today, page__live=True)
        .select_related("page")
        .order_by("page_id", "-year", "-pk")
    )
    latest: dict = {}
    for report in reports:
        latest.setdefault(report.page_id, report)
    found = []
    for report in latest.values():
        community_id = community_of_path(report.page.path, roots)
        if community_id is not None:
            found.append((community_id, report))
    return found


def yuan(amount) -> int:
    """A whole number of yuan (the roll-up stores whole numbers; half a yuan rounds up)."""
    return int((amount or Decimal("0")).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def income_by_category(start, end):
    """Income by category (restricted and unrestricted together), in yuan."""
    for community_id, report in latest_annual_reports(end):
        for code, _label in INCOME_CATEGORIES:
            amount = getattr(report, f"{code}_unrestricted") + getattr(report, f"{code}_restricted")
            yield community_id, code, 0, yuan(amount)


def spending_by_category(start, end):
    for community_id, report in latest_annual_reports(end):
        for code, _label in EXPENSE_CATEGORIES:
            yield community_id, code, 0, yuan(getattr(report, code))


def income_names() -> dict:
    return {code: str(label) for code, label in INCOME_CATEGORIES}


def spending_names() -> dict:
    return {code: str(label) for code, label in EXPENSE_CATEGORIES}


def report_items(community_ids, start, end, dimension=None):
    """The reports behind the income and spending figures: one row per organisation (public disclosures,
    nothing personal)."""
    columns = [
        _("Organisation"),
        _("Community"),
        _("Year"),
        _("Disclosed on"),
        _("Total income (yuan)"),
        _("Total spending (yuan)"),
    ]
    names = dict(Community.objects.filter(pk__in=community_ids).values_list("pk", "name"))
    rows = [
        (
            report.page.title,
            names[c],
            report.year,
            report.disclosed_on.isoformat(),
            report.income_sum(),
            report.expense_sum(),
        )
        for c, report in latest_annual_reports(end)
        if c in community_ids
    ]
    return columns, sorted(rows, key=lambda row: (row[1], row[0]))[:500]


def register():
    registry.register_section(Section("organisations", _("Social organisations"), order=30))
    registry.register_sources("organisations", OrganisationPage, FinancialReport, MajorEvent)
    for order, (key, label, wanted) in enumerate(
        [
            ("organisations.on_time", _("Disclosures on time"), ON_TIME),
            ("organisations.late", _("Disclosures made late"), LATE),
            ("organisations.missing", _("Disclosures missing (past their deadline)"), MISSING),
        ]
    ):
        registry.register(
            Figure(key, label, "organisations", LEVEL, outcome(wanted), order=order, items=disclosure_items(wanted))
        )
    for order, (key, label, compute, dimension_label, names) in enumerate(
        [
            (
                "organisations.income",
                _("Income in the latest annual reports (yuan)"),
                income_by_category,
                _("Income category"),
                income_names,
            ),
            (
                "organisations.spending",
                _("Spending in the latest annual reports (yuan)"),
                spending_by_category,
                _("Spending category"),
                spending_names,
            ),
        ],
        start=10,
    ):
        registry.register(
            Figure(
                key,
                label,
                "organisations",
                LEVEL,
                compute,
                items=report_items,
                dimension_label=dimension_label,
                dimension_names=names,
                order=order,
            )
        )
