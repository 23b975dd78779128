"""A resident's complaints in their data export; their contact details erased when they delete their account."""

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.accounts import erasure, export
from portal.accounts.phone import normalise_phone
from portal.accounts.signals import account_deleted, personal_data_requested

from .models import Complaint, ComplaintEvent, ComplaintPhoto

export.register_labels(
    {
        "complaints": _("Complaints and suggestions"),
        "reference": _("Reference"),
        "kind": _("Kind"),
        "category__name": _("Category"),
        "latitude": _("Latitude"),
        "longitude": _("Longitude"),
        "public": _("May be shown publicly"),
        "contact_preference": _("How to contact you"),
        "contact_phone": _("Contact phone"),
        "state": _("State"),
        "photos": _("Photos"),
    }
)
CHOICES = {name: dict(Complaint._meta.get_field(name).choices) for name in ("kind", "state", "contact_preference")}

# The case stays (the city holds it as a record); the person's data in it goes: in the description and
# address, in every reply on the case (staff and city), and their photos. The city received the photos
# through signed links when the case was delivered; the portal keeps none of them.
erasure.register_text(Complaint, ["description", "address"], own="reporter")
erasure.register_text(ComplaintEvent, ["text"], own="complaint__reporter")
erasure.register_files(ComplaintPhoto, "image", own="complaint__reporter")


def _contact_phones(user, known):
    for phone in (
        Complaint.objects.filter(reporter=user).exclude(contact_phone="").values_list("contact_phone", flat=True)
    ):
        known.phones.add(normalise_phone(phone))


erasure.register_known(_contact_phones)

EXPORTED = [
    "reference",
    "created_at",
    "kind",
    "category__name",
    "description",
    "address",
    "latitude",
    "longitude",
    "public",
    "contact_preference",
    "contact_phone",
    "state",
]


@receiver(personal_data_requested)
def export_complaints(sender, user, **kwargs):
    rows = Complaint.objects.filter(reporter=user).order_by("created_at").values(*EXPORTED)
    photos = {}
    for reference, photo_id in ComplaintPhoto.objects.filter(complaint__reporter=user).values_list(
        "complaint__reference", "pk"
    ):
        # Links, not files: the owner opens them logged in, on the complaint's own site.
        url = reverse("complaints:photo", kwargs={"reference": reference, "photo_id": photo_id})
        photos.setdefault(reference, []).append(url)
    exported = []
    for row in rows:
        item = {k: (str(CHOICES[k].get(v, v)) if k in CHOICES else v) for k, v in row.items()}
        item["reference"] = str(row["reference"])
        item["photos"] = photos.get(row["reference"], [])
        exported.append(item)
    return {"complaints": exported}


@receiver(account_deleted)
def forget_reporter(sender, user, **kwargs):
    # The case stays on the public record and with the city; who raised it and how to reach them go.
    Complaint.objects.filter(reporter=user).update(reporter=None, contact_phone="")
