"""Copies of a complaint at the city: requests carrying our marker under an id we did not keep.

They happen anyway (a city that re-creates a request on a resend it cannot recognise, a lookup that
timed out). They are linked to their complaint, shown to staff with a note for the city, and their
status updates are applied to the complaint they belong to.
"""

import logging
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from . import open311
from .models import CityDuplicate, ComplaintEvent, Outbox

logger = logging.getLogger(__name__)


def link(outbox: Outbox, service_request_id: str, source: str, now: datetime | None = None) -> CityDuplicate:
    """Record that the city's request `service_request_id` is a copy of `outbox`'s complaint (once)."""
    now = now or timezone.now()
    duplicate, created = CityDuplicate.objects.get_or_create(
        endpoint_key=outbox.endpoint_key,
        service_request_id=service_request_id,
        defaults={"complaint_id": outbox.complaint_id, "source": source, "found_at": now},
    )
    if created:
        logger.warning(
            "Complaint %s is at the city twice: %s and %s",
            outbox.complaint_id,
            outbox.service_request_id,
            service_request_id,
        )
        ComplaintEvent.objects.create(
            complaint_id=outbox.complaint_id,
            kind=ComplaintEvent.Kind.NOTE,
            text=_("The city holds a second copy of this complaint: request %(id)s. Its updates are applied here.")
            % {"id": service_request_id},
            created_at=now,
        )
    return duplicate


def owner(endpoint_key: str, service_request_id: str, texts=()) -> Outbox | None:
    """The delivery whose complaint a city request belongs to, by our marker in one of `texts`, when the
    request is not the one we delivered: None if no text carries a marker of a delivered complaint."""
    for text in texts:
        for portal_id in open311.markers_in(text):
            outbox = Outbox.objects.filter(complaint__reference=portal_id, endpoint_key=endpoint_key).first()
            if outbox and outbox.state == Outbox.State.DELIVERED and outbox.service_request_id != service_request_id:
                return outbox
    return None


def link_listed(items: list[dict], endpoint_key: str, now: datetime | None = None) -> int:
    """Link every listed request that carries the marker of a complaint delivered under another id.
    Returns how many new duplicates were found."""
    known = set(
        CityDuplicate.objects.filter(
            endpoint_key=endpoint_key, service_request_id__in=[str(i["service_request_id"]) for i in items]
        ).values_list("service_request_id", flat=True)
    )
    found = 0
    for item in items:
        service_request_id = str(item["service_request_id"])
        if service_request_id in known:
            continue
        outbox = owner(endpoint_key, service_request_id, [item.get("description")])
        if outbox:
            link(outbox, service_request_id, CityDuplicate.Source.LISTING, now)
            found += 1
    return found


def note_for_the_city(duplicate: CityDuplicate) -> str:
    """The text staff send the city (one click records it on the timeline)."""
    outbox = Outbox.objects.get(complaint_id=duplicate.complaint_id)
    return _(
        "Request %(duplicate)s is a duplicate of request %(original)s (the same complaint, portal id "
        "%(portal_id)s, sent twice). Please close %(duplicate)s as a duplicate; we follow %(original)s."
    ) % {
        "duplicate": duplicate.service_request_id,
        "original": outbox.service_request_id,
        "portal_id": duplicate.complaint.portal_id,
    }
