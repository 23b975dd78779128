"""The activity statement must add up, and the admin says exactly where it does not."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from communities.organisations.models import FinancialReport, OrganisationPage

from .conftest import admin_in_english, credit_code, make_organisation, organisation_form_data, report, report_row


def _messages(report_obj):
    with pytest.raises(ValidationError) as exc:
        report_obj.clean()
    return exc.value.message_dict


def test_a_balanced_report_is_accepted():
    report(2025, donations_restricted=Decimal("250.50"), management=Decimal("99.99")).clean()


def test_income_lines_not_adding_up_name_the_difference():
    r = report(2025, government_grants_restricted=Decimal("5000.00"))
    r.total_income = Decimal("5900.00")  # lines: 1000 + 5000 = 6000
    errors = _messages(r)
    assert list(errors) == ["total_income"]
    assert errors["total_income"] == [
        "The income lines add up to 6000.00, not the stated total 5900.00: they differ by +100.00."
    ]


def test_expense_lines_not_adding_up_name_the_difference():
    r = report(2025, fundraising=Decimal("30.00"))
    r.total_expenses = Decimal("900.00")  # lines: 800 + 30 = 830
    errors = _messages(r)
    assert list(errors) == ["total_expenses"]
    assert "830.00" in errors["total_expenses"][0] and "-70.00" in errors["total_expenses"][0]


def test_both_totals_wrong_give_two_errors():
    r = report(2025)
    r.total_income, r.total_expenses = Decimal("1"), Decimal("2")
    assert set(_messages(r)) == {"total_income", "total_expenses"}


def test_an_audited_report_names_its_auditor():
    r = report(2025, audited=True)
    assert _messages(r) == {"auditor": ["Name the auditor of an audited report."]}
    r.auditor = "某某会计师事务所"
    r.clean()


def test_negative_amounts_are_refused():
    r = report(2025, donations_unrestricted=Decimal("-1.00"))
    with pytest.raises(ValidationError) as exc:
        r.clean_fields(exclude=["page"])
    assert "donations_unrestricted" in exc.value.message_dict


def test_legal_form_must_match_the_code_category(city):
    page = OrganisationPage(
        title="x", credit_code=credit_code(5, "52"), legal_form=OrganisationPage.LegalForm.FOUNDATION
    )
    with pytest.raises(ValidationError) as exc:
        page.clean()
    assert "starting with 53" in exc.value.message_dict["credit_code"][0]


@pytest.fixture
def admin_client(client, django_user_model, city):
    admin = admin_in_english(django_user_model.objects.create_superuser("root", password="pw-for-tests-1"))
    client.force_login(admin)
    return client


def test_admin_form_refuses_unbalanced_report_and_keeps_the_page(admin_client, city):
    org = make_organisation(city["a1"])
    data = organisation_form_data(
        org, reports=[report_row(2025, total_income="999.00")], change_note="补充2025年度报告"
    )
    response = admin_client.post(reverse("wagtailadmin_pages:edit", args=[org.pk]), data)
    assert response.status_code == 200  # the form comes back with the error, nothing is saved
    assert "The income lines add up to 1000.00, not the stated total 999.00: they differ by +1.00." in (
        response.content.decode()
    )
    org.refresh_from_db()
    assert org.latest_revision == org.live_revision
    assert not FinancialReport.objects.filter(page=org).exists()


def test_admin_form_refuses_a_bad_credit_code(admin_client, city):
    org = make_organisation(city["a1"])
    data = organisation_form_data(org, credit_code="52440100MJ0000001A", change_note="更正信用代码")
    response = admin_client.post(reverse("wagtailadmin_pages:edit", args=[org.pk]), data)
    assert response.status_code == 200
    assert "should be U, not A" in response.content.decode()


def test_admin_form_refuses_two_reports_for_the_same_period(admin_client, city):
    org = make_organisation(city["a1"])
    data = organisation_form_data(org, reports=[report_row(2025), report_row(2025)], change_note="补充2025年度报告")
    response = admin_client.post(reverse("wagtailadmin_pages:edit", args=[org.pk]), data)
    assert response.status_code == 200
    assert "There is already a report for 2025, annual." in response.content.decode()


def test_republishing_needs_a_change_note(admin_client, city):
    org = make_organisation(city["a1"])
    url = reverse("wagtailadmin_pages:edit", args=[org.pk])
    response = admin_client.post(url, organisation_form_data(org, purpose="新的宗旨", **{"action-publish": "1"}))
    assert response.status_code == 200
    assert "say what this new version corrects" in response.content.decode()
    org.refresh_from_db()
    assert org.purpose != "新的宗旨"

    data = organisation_form_data(org, purpose="新的宗旨", change_note="更正宗旨表述", **{"action-publish": "1"})
    response = admin_client.post(url, data)
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.purpose == "新的宗旨"
    assert [h["note"] for h in org.published_history()] == ["更正宗旨表述", ""]

    # The same note again does not describe a new correction.
    data = organisation_form_data(org, purpose="再次修改", change_note="更正宗旨表述", **{"action-publish": "1"})
    assert admin_client.post(url, data).status_code == 200
