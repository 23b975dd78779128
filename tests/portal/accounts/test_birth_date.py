"""The date of birth in the ID number: kept for minimum voting ages, exported, erased, never shown unrevealed."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from portal.accounts import consent
from portal.accounts.identity import birth_date_from_id, validate_id_number
from portal.accounts.membership import apply_for_membership
from portal.accounts.models import Membership
from portal.accounts.rights import delete_account, personal_data

from .conftest import make_id_number

ID = make_id_number("11010519491231002")  # born 31 December 1949


def test_birth_date_is_read_from_the_id_number():
    assert birth_date_from_id(ID) == date(1949, 12, 31)
    assert birth_date_from_id("110105") is None


def test_id_number_with_an_impossible_birth_date_is_refused():
    with pytest.raises(ValidationError, match="date of birth does not exist"):
        validate_id_number(make_id_number("11010519490231002"))  # 31 February


def test_application_keeps_birth_date_export_and_withdrawal(city, buildings, resident):
    user = resident("13800138000")
    membership = apply_for_membership(user, city["a1"], buildings["a1-1"], "1", "1203", id_number=ID)
    assert membership.birth_date == date(1949, 12, 31)
    assert personal_data(user)["memberships"][0]["birth_date"] == date(1949, 12, 31)
    consent.record_consent(user, consent.ID_NUMBER)
    consent.withdraw_consent(user, consent.ID_NUMBER)
    assert Membership.objects.get(pk=membership.pk).birth_date is None  # it came from the number


def test_deleting_the_account_erases_the_birth_date(city, buildings, resident):
    user = resident("13800138000")
    apply_for_membership(user, city["a1"], buildings["a1-1"], "1", "1203", id_number=ID)
    delete_account(user)
    assert not Membership.objects.filter(birth_date__isnull=False).exists()


def test_worker_checking_the_card_records_a_missing_birth_date(city, buildings, resident, worker_of, host_client):
    membership = apply_for_membership(resident("13800138000"), city["a1"], buildings["a1-1"], "1", "1203", id_number=ID)
    Membership.objects.filter(pk=membership.pk).update(birth_date=None)  # applied before dates were kept
    client = host_client("localhost", worker_of(city["a1"]))
    inspect = client.get(f"/admin/memberships/inspect/{membership.pk}/")
    assert inspect.status_code == 200 and "1949" not in inspect.content.decode()  # never shown unrevealed
    response = client.post(f"/admin/memberships/edit/{membership.pk}/", {"status": "verified", "id_number_check": ID})
    assert response.status_code == 302
    assert Membership.objects.get(pk=membership.pk).birth_date == date(1949, 12, 31)
