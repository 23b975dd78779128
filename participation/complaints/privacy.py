"""A resident's complaints in their data export; their contact details erased when they delete their account."""

from django.dispatch import receiver
from django.urls import reverse

from portal.accounts.signals import account_deleted, personal_data_requested

from .models import Complaint, ComplaintPhoto

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
        item = {k: (str(v) if v is not None else None) for k, v in row.items()}
        item["photos"] = photos.get(row["reference"], [])
        exported.append(item)
    return {"complaints": exported}


@receiver(account_deleted)
def forget_reporter(sender, user, **kwargs):
    # The case stays on the public record and with the city; who raised it and how to reach them go.
    Complaint.objects.filter(reporter=user).update(reporter=None, contact_phone="")
