"""Status updates from the city: one code path for the poll and for the signed push.

Updates are applied in time order, each at most once (the update id is unique on the timeline),
never move a case back to an earlier state. An update for a copy of a complaint at the city (a
request carrying our marker under another id: see duplicates.py) is applied to that complaint;
updates for requests we do not know at all are logged and ignored.
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import duplicates, open311
from .conf import Endpoint
from .models import CaseState as S
from .models import CityDuplicate, Complaint, ComplaintEvent, Outbox, PollCursor
from .states import CITY_RANK, announce, can_move, move

logger = logging.getLogger(__name__)

# Open311 statuses and FixMyStreet's extended ones, as case states.
STATUS_TO_STATE = {
    "open": S.DISPATCHED,
    "investigating": S.IN_PROGRESS,
    "in_progress": S.IN_PROGRESS,
    "action_scheduled": S.IN_PROGRESS,
    "internal_referral": S.IN_PROGRESS,
    "fixed": S.CLOSED,
    "closed": S.CLOSED,
    "no_further_action": S.CLOSED,
    "unable_to_fix": S.CLOSED,
    "not_responsible": S.NOT_RESPONSIBLE,
    "duplicate": S.DUPLICATE,
}
POLL_OVERLAP = timedelta(minutes=5)
FIRST_POLL_WINDOW = timedelta(days=1)


def apply_updates(updates: list[open311.Update], endpoint_key: str | None = None) -> dict:
    """Apply updates oldest first. `endpoint_key` limits matching to requests sent to that endpoint
    (district systems may reuse each other's request ids)."""
    counts = {"applied": 0, "duplicate": 0, "unknown": 0, "stale": 0}
    for update in sorted(updates, key=lambda u: (u.updated_datetime, u.update_id)):
        outcome = apply_update(update, endpoint_key)
        counts[outcome] += 1
    return counts


def apply_update(update: open311.Update, endpoint_key: str | None = None) -> str:
    try:
        with transaction.atomic():
            return _apply(update, endpoint_key)
    except IntegrityError:
        return "duplicate"  # the same update arrived concurrently by the other path


def _apply(update: open311.Update, endpoint_key: str | None) -> str:
    outboxes = Outbox.objects.filter(service_request_id=update.service_request_id)
    if endpoint_key is not None:
        outboxes = outboxes.filter(endpoint_key=endpoint_key)
    outbox = outboxes.first()
    if outbox is not None:
        complaint_id, key = outbox.complaint_id, outbox.endpoint_key
    else:
        copy = _copy_at_the_city(update, endpoint_key)
        if copy is None:
            logger.warning("Update %s for unknown request %s ignored", update.update_id, update.service_request_id)
            return "unknown"
        complaint_id, key = copy.complaint_id, copy.endpoint_key
    # Update ids are unique within one city system; district systems may reuse each other's.
    update_id = f"{key or 'default'}:{update.update_id}"
    if ComplaintEvent.objects.filter(city_update_id=update_id).exists():
        return "duplicate"
    complaint = Complaint.objects.select_for_update().select_related("category").get(pk=complaint_id)
    target = STATUS_TO_STATE.get(update.status)
    newest = complaint.last_city_update_at is None or update.updated_datetime >= complaint.last_city_update_at
    forward = (
        target is not None
        and complaint.state in CITY_RANK
        and CITY_RANK[target] > CITY_RANK[complaint.state]
        and can_move(complaint, target)
    )
    if newest:
        complaint.last_city_update_at = update.updated_datetime
    if forward and newest:
        move(
            complaint,
            target,
            text=update.description,
            from_city=True,
            update_id=update_id,
            at=update.updated_datetime,
        )
        return "applied"
    complaint.save(update_fields=["last_city_update_at"])
    # Not a step forward: keep what the city said (a reply is still a reply), but not its status.
    event = ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.REPLY if update.description else ComplaintEvent.Kind.NOTE,
        text=update.description
        or _("The city reported '%(status)s'; the case is already further along.") % {"status": update.status},
        from_city=True,
        city_update_id=update_id,
        created_at=update.updated_datetime,
    )
    announce(event)
    return "applied" if update.description else "stale"


def _copy_at_the_city(update: open311.Update, endpoint_key: str | None) -> CityDuplicate | None:
    """The known copy this update is for, or a new one when the update carries our marker."""
    copies = CityDuplicate.objects.filter(service_request_id=update.service_request_id)
    if endpoint_key is not None:
        copies = copies.filter(endpoint_key=endpoint_key)
    copy = copies.first()
    if copy is None:
        outboxes = Outbox.objects.filter(state=Outbox.State.DELIVERED)
        if endpoint_key is not None:
            outboxes = outboxes.filter(endpoint_key=endpoint_key)
        for key in outboxes.values_list("endpoint_key", flat=True).distinct():
            outbox = duplicates.owner(key, update.service_request_id, [update.description])
            if outbox:
                return duplicates.link(outbox, update.service_request_id, CityDuplicate.Source.UPDATE)
    return copy


def sweep(client: open311.Client, endpoint: Endpoint, start: datetime, end: datetime) -> int:
    """List the requests the city made in [start, end] (standard filters) and link every copy of a
    complaint among them. A failed listing is logged: the next poll's window overlaps this one."""
    if "window" not in endpoint.lookups:
        return 0
    try:
        listed = client.list_requests(start, end, status=endpoint.window_status)
    except open311.Open311Error as exc:
        logger.warning("Could not list the requests of %s for duplicates: %s", endpoint.key, exc)
        return 0
    return duplicates.link_listed(listed, endpoint.key)


def poll(endpoint: Endpoint, now: datetime | None = None) -> dict:
    """Pull `servicerequestupdates` since the last poll (with an overlap; duplicates are harmless).
    Where the endpoint lacks the extension (404), fall back to `GET requests/{id}` per open case."""
    now = now or timezone.now()
    cursor = PollCursor.objects.filter(endpoint_key=endpoint.key).first()
    start = (cursor.polled_until - POLL_OVERLAP) if cursor else now - FIRST_POLL_WINDOW
    client = open311.Client(endpoint)
    # Copies first, so that their updates below find the complaint they belong to.
    found = sweep(client, endpoint, start, now)
    try:
        updates = client.updates(start, now)
    except open311.NotFound:
        updates = _updates_from_requests(client, endpoint)
    counts = apply_updates(updates, endpoint.key)
    counts["copies_found"] = found
    PollCursor.objects.update_or_create(endpoint_key=endpoint.key, defaults={"polled_until": now})
    return counts


def _updates_from_requests(client: open311.Client, endpoint: Endpoint) -> list[open311.Update]:
    open_cases = Outbox.objects.filter(
        state=Outbox.State.DELIVERED,
        endpoint_key=endpoint.key,
        complaint__state__in=[S.ESCALATED, S.DISPATCHED, S.IN_PROGRESS, S.REPLIED, S.REOPENED],
    ).values_list("service_request_id", flat=True)
    updates = []
    for service_request_id in open_cases:
        try:
            item = client.get_request(service_request_id)
        except open311.Open311Error as exc:
            logger.warning("Could not fetch request %s: %s", service_request_id, exc)
            continue
        stamp = item.get("updated_datetime") or item.get("requested_datetime") or ""
        synthetic = {
            "update_id": f"request:{service_request_id}:{stamp}:{item.get('status', '')}",
            "service_request_id": service_request_id,
            "status": item.get("status", ""),
            "updated_datetime": stamp,
            "description": item.get("status_notes", ""),
        }
        updates.extend(open311.parse_updates([synthetic]))
    return updates
