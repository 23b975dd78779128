"""Social organisations' disclosure for decision support (portal.insights): the compliance rules
(communities.organisations.compliance) applied as of the end of a period, counted per community.

On time: disclosed by its deadline. Late: disclosed after it. Missing: past its deadline, not disclosed
by the end of the period. Annual reports and major events; an organisation counts in its home community."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.regions.insights import community_of_path, community_roots
from communities.regions.models import Community
from portal.insights import query, registry
from portal.insights.registry import LEVEL, Figure, Section

from . import compliance
from .models import EXPENSE_CATEGORIES, INCOME_CATEGORIES, FinancialReport, MajorEvent, OrganisationPage

ON_TIME, LATE, MISSING = "on_time", "late", "missing"


def disclosure_counts(end) -> dict[tuple[int, str], int]:
    """{(community_id, outcome): n}, read once per dashboard for the three outcomes (query.shared)."""
    return query.shared(("organisations.disclosures", end), lambda: _disclosure_counts(end))


def _disclosure_counts(end) -> dict[tuple[int, str], int]:
    today = timezone.localdate(end - timedelta(microseconds=1))
    roots = community_roots()
    counts: dict = {}

    def add(community_id, outcome):
        counts[(community_id, outcome)] = counts.get((community_id, outcome), 0) + 1

    organisations = OrganisationPage.objects.live().prefetch_related("financial_reports", "major_events")
    for organisation in organisations:
        community_id = community_of_path(organisation.path, roots)
        if community_id is None:
            continue
        annual = {
            r.year: r.disclosed_on
            for r in organisation.financial_reports.all()
            if r.period == FinancialReport.Period.ANNUAL and r.disclosed_on and r.disclosed_on <= today
        }
        for year in compliance.report_years_due(organisation.registration_date, today):
            disclosed = annual.get(year)
            if disclosed is None:
                add(community_id, MISSING)
            else:
                add(community_id, LATE if compliance.annual_report_late(year, disclosed, today) else ON_TIME)
        for event in organisation.major_events.all():
            if event.occurred_on > today:
                continue
            disclosed = event.disclosed_on if event.disclosed_on and event.disclosed_on <= today else None
            if disclosed is not None:
                add(community_id, LATE if compliance.event_late(event.occurred_on, disclosed, today) else ON_TIME)
            elif compliance.event_late(event.occurred_on, None, today):
                add(community_id, MISSING)
    return counts


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
        registry.register(Figure(key, label, "organisations", LEVEL, outcome(wanted), order=order))
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
