"""The open data: four tables of published disclosures, described once and written as CSV, JSON and
a Frictionless Data Package descriptor, so the columns of every format come from the same list.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from communities.regions.models import Community

from .models import (
    EXPENSE_CATEGORIES,
    INCOME_CATEGORIES,
    RESTRICTIONS,
    OrganisationPage,
    ProjectPage,
    organisations_for_communities,
)

LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}


class FilterError(ValueError):
    """A bad filter value; the message says why and becomes the body of a 400 answer."""


@dataclass
class Filters:
    community: Community | None = None
    year: int | None = None


@dataclass
class Field:
    name: str
    type: str
    description: str


@dataclass
class Resource:
    name: str
    title: str
    fields: list
    rows: object  # callable(Filters) -> iterable of dicts
    has_period: bool = True


def parse_filters(params, resource) -> Filters:
    unknown = sorted(set(params) - {"community", "period"})
    if unknown:
        raise FilterError(f"Unknown filter(s): {', '.join(unknown)}. Use community=<slug> and period=<year>.")
    filters = Filters()
    slug = params.get("community")
    if slug is not None:
        filters.community = Community.objects.filter(slug=slug).first()
        if filters.community is None:
            raise FilterError(f"No community with the slug '{slug}'.")
    period = params.get("period")
    if period is not None:
        if not resource.has_period:
            raise FilterError(f"The {resource.name} table has no period to filter on.")
        if not re.fullmatch(r"\d{4}", period) or not 1949 <= int(period) <= 2200:
            raise FilterError(f"period must be a year such as 2025, not '{period}'.")
        filters.year = int(period)
    return filters


def _organisations(filters: Filters):
    if filters.community is None:
        organisations = OrganisationPage.objects.live()
    else:
        organisations = organisations_for_communities([filters.community.pk])
    return organisations.order_by("credit_code")


def organisation_rows(filters):
    from wagtail.models import Page

    home_by_root = dict(Community.objects.values_list("root_page__path", "slug"))

    def home_slug(org):
        for end in range(Page.steplen, len(org.path), Page.steplen):
            if org.path[:end] in home_by_root:
                return home_by_root[org.path[:end]]
        return ""

    for org in _organisations(filters).prefetch_related("communities"):
        home = home_slug(org)
        served = {c.slug for c in org.communities.all()} | ({home} if home else set())
        yield {
            "org_id": org.org_id,
            "credit_code": org.credit_code,
            "name": org.title,
            "short_name": org.short_name,
            "english_name": org.english_name,
            "legal_form": org.legal_form,
            "registration_authority": org.registration_authority,
            "registration_date": org.registration_date,
            "registration_status": org.registration_status,
            "charity_recognised_on": org.charity_recognised_on,
            "public_fundraising_from": org.public_fundraising_from,
            "public_fundraising_until": org.public_fundraising_until,
            "supervising_unit": org.supervising_unit,
            "legal_representative": org.legal_representative,
            "evaluation_grade": org.evaluation_grade,
            "home_community": home,
            "communities": ";".join(sorted(served)),
            "url": org.full_url,
            "charity_platform_url": org.charity_platform_url,
            "last_published_at": org.last_published_at,
        }


def financial_line_rows(filters):
    from .models import FinancialReport

    organisations = _organisations(filters)
    reports = FinancialReport.objects.filter(page__in=organisations).select_related("page")
    if filters.year is not None:
        reports = reports.filter(year=filters.year)
    for report in reports.order_by("page__credit_code", "year", "period"):
        base = {
            "org_id": report.page.org_id,
            "organisation_name": report.page.title,
            "year": report.year,
            "period": report.period,
            "audited": report.audited,
            "disclosed_on": report.disclosed_on,
        }
        for code, _label in INCOME_CATEGORIES:
            for restriction, _r_label in RESTRICTIONS:
                yield base | {
                    "statement": "income",
                    "category": code,
                    "restriction": restriction,
                    "amount_cny": getattr(report, f"{code}_{restriction}"),
                }
        for code, _label in EXPENSE_CATEGORIES:
            yield base | {
                "statement": "expense",
                "category": code,
                "restriction": "",
                "amount_cny": getattr(report, code),
            }


def project_rows(filters):
    from wagtail.models import Page

    organisations = {org.path: org for org in _organisations(filters)}
    projects = ProjectPage.objects.live()
    if filters.year is not None:
        projects = projects.filter(start_date__year__lte=filters.year).exclude(end_date__year__lt=filters.year)
    for project in projects.order_by("pk"):
        org = organisations.get(project.path[: -Page.steplen])
        if org is None:
            continue
        yield {
            "org_id": org.org_id,
            "project_id": project.pk,
            "title": project.title,
            "status": project.status,
            "funding_source": project.funding_source,
            "start_date": project.start_date,
            "end_date": project.end_date,
            "location": project.location,
            "target_group": project.target_group,
            "beneficiaries": project.beneficiaries,
            "budget_cny": project.budget,
            "actual_spending_cny": project.actual_spending,
            "url": project.full_url,
        }


def transaction_rows(filters):
    from .models import MajorEvent

    events = MajorEvent.objects.filter(page__in=_organisations(filters)).select_related("page")
    if filters.year is not None:
        events = events.filter(occurred_on__year=filters.year)
    for event in events.order_by("page__credit_code", "occurred_on", "pk"):
        yield {
            "org_id": event.page.org_id,
            "event_id": event.pk,
            "kind": event.kind,
            "title": event.title,
            "counterparty": event.counterparty,
            "amount_cny": event.amount,
            "occurred_on": event.occurred_on,
            "disclosed_on": event.disclosed_on,
        }


ORG_ID = Field("org_id", "string", "Organisation identifier in the org-id.guide form CN-USCI-<credit code>")

RESOURCES = {
    r.name: r
    for r in [
        Resource(
            "organisations",
            "Social organisations",
            [
                ORG_ID,
                Field("credit_code", "string", "Unified social credit code (GB 32100)"),
                Field("name", "string", "Registered name"),
                Field("short_name", "string", "Short name"),
                Field("english_name", "string", "English name"),
                Field(
                    "legal_form",
                    "string",
                    "social_group, social_service_institution, foundation or filed_community_organisation",
                ),
                Field("registration_authority", "string", "Registration authority"),
                Field("registration_date", "date", "Date of registration"),
                Field("registration_status", "string", "active, suspended, revoked or deregistered"),
                Field("charity_recognised_on", "date", "Date recognised as a charitable organisation"),
                Field("public_fundraising_from", "date", "Start of the public-fundraising qualification"),
                Field("public_fundraising_until", "date", "End of the public-fundraising qualification"),
                Field("supervising_unit", "string", "Supervising unit"),
                Field("legal_representative", "string", "Legal representative"),
                Field("evaluation_grade", "string", "Evaluation grade 1A-5A, empty if not evaluated"),
                Field("home_community", "string", "Slug of the community whose site holds the profile"),
                Field("communities", "string", "Slugs of the communities served, separated by semicolons"),
                Field("url", "string", "Profile page"),
                Field("charity_platform_url", "string", "Entry on the national charity information platform"),
                Field("last_published_at", "datetime", "When the profile was last published"),
            ],
            organisation_rows,
            has_period=False,
        ),
        Resource(
            "financial-lines",
            "Activity statement lines",
            [
                ORG_ID,
                Field("organisation_name", "string", "Registered name"),
                Field("year", "integer", "Financial year"),
                Field("period", "string", "annual or h1 (first half-year)"),
                Field("audited", "boolean", "Whether the report was audited"),
                Field("disclosed_on", "date", "Date the report was first published"),
                Field("statement", "string", "income or expense"),
                Field("category", "string", "Line of the activity statement"),
                Field("restriction", "string", "restricted or unrestricted (income only)"),
                Field("amount_cny", "number", "Amount in yuan"),
            ],
            financial_line_rows,
        ),
        Resource(
            "projects",
            "Projects",
            [
                ORG_ID,
                Field("project_id", "integer", "Stable project identifier"),
                Field("title", "string", "Project title"),
                Field("status", "string", "planned, ongoing, completed or suspended"),
                Field("funding_source", "string", "government_purchase, donation, public_fundraising or own_funds"),
                Field("start_date", "date", "Start date"),
                Field("end_date", "date", "End date"),
                Field("location", "string", "Location in the community"),
                Field("target_group", "string", "Target group"),
                Field("beneficiaries", "integer", "Number of beneficiaries"),
                Field("budget_cny", "number", "Budget in yuan"),
                Field("actual_spending_cny", "number", "Actual spending in yuan"),
                Field("url", "string", "Project page"),
            ],
            project_rows,
        ),
        Resource(
            "transactions",
            "Major events: asset changes, investments and related-party dealings",
            [
                ORG_ID,
                Field("event_id", "integer", "Stable event identifier"),
                Field("kind", "string", "asset_change, investment, related_party or other"),
                Field("title", "string", "Title"),
                Field("counterparty", "string", "Counterparty"),
                Field("amount_cny", "number", "Amount in yuan"),
                Field("occurred_on", "date", "Date the event occurred"),
                Field("disclosed_on", "date", "Date the event was first published"),
            ],
            transaction_rows,
        ),
    ]
}


def csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def descriptor(base_url: str) -> dict:
    return {
        "profile": "tabular-data-package",
        "name": "community-social-organisations",
        "title": _("Social organisations' disclosures"),
        "licenses": [LICENCE],
        "resources": [
            {
                "name": r.name,
                "title": r.title,
                "path": f"{base_url}{r.name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "schema": {
                    "fields": [{"name": f.name, "type": f.type, "description": f.description} for f in r.fields]
                },
            }
            for r in RESOURCES.values()
        ],
    }
