"""Numbers for the finance charts, drawn as CSS bars with the same numbers in a table beside each."""

from decimal import Decimal

from .models import EXPENSE_CATEGORIES, INCOME_CATEGORIES

ZERO = Decimal("0")


def percent(part: Decimal, whole: Decimal) -> float:
    return round(float(part / whole * 100), 1) if whole else 0.0


def income_by_year(reports):
    """{'years': [...], 'rows': [(label, [(amount, width%), ...]), ...]} over annual reports."""
    years = [r.year for r in reports]
    amounts = {
        code: [getattr(r, f"{code}_unrestricted") + getattr(r, f"{code}_restricted") for r in reports]
        for code, _label in INCOME_CATEGORIES
    }
    largest = max([a for values in amounts.values() for a in values] or [ZERO])
    rows = [
        (label, [(amount, percent(amount, largest)) for amount in amounts[code]]) for code, label in INCOME_CATEGORIES
    ]
    totals = [r.total_income for r in reports]
    by_year = [(year, [(label, values[i][0], values[i][1]) for label, values in rows]) for i, year in enumerate(years)]
    return {"years": years, "rows": rows, "totals": totals, "by_year": by_year}


def expense_split(report):
    if report is None:
        return None
    lines = [(label, getattr(report, code)) for code, label in EXPENSE_CATEGORIES]
    total = report.total_expenses
    return {
        "report": report,
        "rows": [(label, amount, percent(amount, total)) for label, amount in lines],
        "total": total,
    }


def budget_against_actual(projects):
    projects = list(projects)
    largest = max([max(p.budget, p.actual_spending) for p in projects] or [ZERO])
    return [
        {
            "project": p,
            "budget": p.budget,
            "actual": p.actual_spending,
            "budget_width": percent(p.budget, largest),
            "actual_width": percent(p.actual_spending, largest),
            "used": percent(p.actual_spending, p.budget),
        }
        for p in projects
    ]


def finance_charts(organisation):
    reports = list(organisation.annual_reports())
    return {
        "income": income_by_year(reports),
        "expenses": expense_split(reports[-1] if reports else None),
        "projects": budget_against_actual(organisation.projects()),
        "reports": reports,
    }
