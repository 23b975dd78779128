"""A resident's complaints in their data export; their contact details erased when they delete their account."""

from django.dispatch import receiver

from portal.accounts.signals import account_deleted, personal_data_requested

from .models import Complaint

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
    return {"complaints": [{k: (str(v) if v is not None else None) for k, v in row.items()} for row in rows]}


@receiver(account_deleted)
def forget_reporter(sender, user, **kwargs):
    # The case stays on the public record and with the city; who raised it and how to reach them go.
    Complaint.objects.filter(reporter=user).update(reporter=None, contact_phone="")
