"""Organisations built the way production builds them: a page under a community's section, published."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from communities.organisations.credit_code import check_character
from communities.organisations.models import (
    FinancialReport,
    MajorEvent,
    OrganisationIndexPage,
    OrganisationPage,
    ProjectPage,
)
from communities.organisations.provisioning import provision_organisation_staff


def credit_code(n: int, category: str = "51") -> str:
    first17 = f"{category}440100MJ{n:07d}"
    return first17 + check_character(first17)


def report(year, **amounts):
    """A balanced annual report: unrestricted donations and programme costs unless given."""
    values = {"donations_unrestricted": Decimal("1000.00"), "programme": Decimal("800.00")} | amounts
    report = FinancialReport(year=year, period=FinancialReport.Period.ANNUAL, **values)
    report.total_income = report.income_sum()
    report.total_expenses = report.expense_sum()
    return report


def make_organisation(community, n=1, title=None, publish=True, **fields):
    index = OrganisationIndexPage.objects.child_of(community.root_page).get()
    values = {
        "title": title or f"{community.name}为老服务中心{n}",
        "slug": f"org-{n}",
        "credit_code": credit_code(n, "52"),
        "legal_form": OrganisationPage.LegalForm.SOCIAL_SERVICE_INSTITUTION,
        "registration_authority": "测试市民政局",
        "registration_date": date(2020, 3, 1),
        "purpose": "为社区老年人提供助餐、助浴、助医服务。",
        "scope": "养老服务、志愿服务",
        "legal_representative": "张明",
    } | fields
    page = index.add_child(instance=OrganisationPage(live=False, **values))
    if publish:
        page.save_revision().publish()
        page.refresh_from_db()
    return page


def make_project(organisation, n=1, publish=True, **fields):
    values = {
        "title": f"长者助餐项目{n}",
        "slug": f"project-{n}",
        "description": "每日为社区高龄老人提供午餐。",
        "status": ProjectPage.Status.ONGOING,
        "start_date": date(2025, 1, 1),
        "funding_source": ProjectPage.FundingSource.GOVERNMENT_PURCHASE,
        "budget": Decimal("50000.00"),
        "actual_spending": Decimal("32000.50"),
        "beneficiaries": 120,
    } | fields
    page = organisation.add_child(instance=ProjectPage(live=False, **values))
    if publish:
        page.save_revision().publish()
        page.refresh_from_db()
    return page


def add_event(organisation, occurred_on, disclosed_on, **fields):
    values = {"kind": MajorEvent.Kind.RELATED_PARTY, "title": "向理事控股企业采购食材", "amount": Decimal("12000.00")}
    return MajorEvent.objects.create(
        page=organisation, occurred_on=occurred_on, disclosed_on=disclosed_on, **(values | fields)
    )


@pytest.fixture(autouse=True)
def english():
    """Assert on the English msgids whether or not the Chinese catalogues are compiled."""
    with translation.override("en"):
        yield


def admin_in_english(user):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def org_a(city):
    return make_organisation(city["a1"], 1, title="翠园为老服务中心")


@pytest.fixture
def org_b(city):
    return make_organisation(city["a1"], 2, title="湖滨青少年服务社")


@pytest.fixture
def staff_of(make_user):
    def make(organisation):
        access = provision_organisation_staff(organisation)
        user = admin_in_english(make_user(is_staff=True))
        user.groups.add(access.staff_group)
        return user

    return make


@pytest.fixture
def editor_of(make_user):
    def make(community):
        user = admin_in_english(make_user(is_staff=True))
        user.groups.add(community.editors_group)
        return user

    return make


def organisation_form_data(page, reports=None, **overrides):
    """The edit form of an organisation as the admin posts it, with its inlines."""
    fields = {
        "title": page.title,
        "slug": page.slug,
        "short_name": page.short_name,
        "english_name": page.english_name,
        "credit_code": page.credit_code,
        "legal_form": page.legal_form,
        "registration_authority": page.registration_authority,
        "registration_date": page.registration_date.isoformat(),
        "registration_status": page.registration_status,
        "charity_recognised_on": page.charity_recognised_on.isoformat() if page.charity_recognised_on else "",
        "public_fundraising_from": "",
        "public_fundraising_until": "",
        "supervising_unit": page.supervising_unit,
        "purpose": page.purpose,
        "scope": page.scope,
        "legal_representative": page.legal_representative,
        "contact_phone": page.contact_phone,
        "contact_email": page.contact_email,
        "address": page.address,
        "evaluation_grade": page.evaluation_grade,
        "evaluation_valid_until": "",
        "charity_platform_url": page.charity_platform_url,
        "change_note": "",
        "comment_notifications": "",
    } | overrides
    existing = list(page.financial_reports.all()) if page.pk else []
    report_rows = reports if reports is not None else [_report_row(r) for r in existing]
    data = nested_form_data(
        fields
        | {
            "leaders": inline_formset([]),
            "financial_reports": inline_formset(report_rows, initial=len(existing)),
            "major_events": inline_formset([]),
            "comments": inline_formset([]),
        }
    )
    return data


def _report_row(r):
    from communities.organisations.models import EXPENSE_CATEGORIES, INCOME_CATEGORIES

    row = {"id": r.pk, "year": r.year, "period": r.period, "audited": "on" if r.audited else "", "auditor": r.auditor}
    for code, _label in INCOME_CATEGORIES:
        row[f"{code}_unrestricted"] = str(getattr(r, f"{code}_unrestricted"))
        row[f"{code}_restricted"] = str(getattr(r, f"{code}_restricted"))
    for code, _label in EXPENSE_CATEGORIES:
        row[code] = str(getattr(r, code))
    row["total_income"] = str(r.total_income)
    row["total_expenses"] = str(r.total_expenses)
    row["document"] = ""
    return row


def report_row(year, total_income=None, total_expenses=None, **amounts):
    """A new report row for the admin form; totals default to the sums of the lines."""
    r = report(year, **{k: Decimal(v) for k, v in amounts.items()})
    row = _report_row(r)
    row["id"] = ""
    if total_income is not None:
        row["total_income"] = total_income
    if total_expenses is not None:
        row["total_expenses"] = total_expenses
    return row
