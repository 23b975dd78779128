"""A resident's complaints are in their data export, and deleting the account erases how to reach them."""

from django.core.files.base import ContentFile

from participation.complaints.models import Complaint, ComplaintPhoto
from portal.accounts.rights import delete_account, personal_data


def test_export_holds_the_residents_complaints(new_complaint):
    complaint = new_complaint(contact_phone="13912345678")
    data = personal_data(complaint.reporter)
    (row,) = data["complaints"]
    assert row["reference"] == str(complaint.reference)
    assert row["description"] == complaint.description
    assert row["contact_phone"] == "13912345678"
    assert row["photos"] == []


def test_export_links_each_photo_of_the_residents_complaints(new_complaint):
    complaint, others = new_complaint(), new_complaint()
    photo = ComplaintPhoto.objects.create(complaint=complaint, image=ContentFile(b"x", name="a.jpg"))
    ComplaintPhoto.objects.create(complaint=others, image=ContentFile(b"y", name="b.jpg"))
    (row,) = personal_data(complaint.reporter)["complaints"]
    assert row["photos"] == [f"/complaints/{complaint.reference}/photos/{photo.pk}/"]


def test_deleting_the_account_keeps_the_case_but_not_the_person(new_complaint):
    submitted = new_complaint(contact_phone="13912345678")
    delete_account(submitted.reporter)
    complaint = Complaint.objects.get(pk=submitted.pk)
    assert complaint.reporter is None
    assert complaint.contact_phone == ""
    assert complaint.description == submitted.description
