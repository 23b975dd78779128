"""A resident's complaints are in their data export, and deleting the account erases how to reach them."""

from participation.complaints.models import Complaint
from portal.accounts.rights import delete_account, personal_data


def test_export_holds_the_residents_complaints(new_complaint):
    complaint = new_complaint(contact_phone="13912345678")
    data = personal_data(complaint.reporter)
    (row,) = data["complaints"]
    assert row["reference"] == str(complaint.reference)
    assert row["description"] == complaint.description
    assert row["contact_phone"] == "13912345678"


def test_deleting_the_account_keeps_the_case_but_not_the_person(new_complaint):
    submitted = new_complaint(contact_phone="13912345678")
    delete_account(submitted.reporter)
    complaint = Complaint.objects.get(pk=submitted.pk)
    assert complaint.reporter is None
    assert complaint.contact_phone == ""
    assert complaint.description == submitted.description
