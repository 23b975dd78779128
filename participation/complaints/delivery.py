"""Delivering escalated complaints to the city's Open311 endpoint, at least once and never twice.

Each Outbox row is written in the same transaction as the escalation. Workers claim due rows one
at a time, each under its own lease (FOR UPDATE SKIP LOCKED where the database has it; SQLite's
IMMEDIATE transactions serialise claims). The lease is sized from the endpoint's client timeout,
renewed (and so checked) right before every call to the city, and the outcome is recorded only
if the lease is still held: a worker that lost its row never sends it.

Every description carries a short marker with the complaint's portal id. After an ambiguous
failure the next attempt first asks the city whether the request already exists: by portal id
where the endpoint offers that extension (the faster path), and by listing the city's requests
of the complaint's service code in a narrow window with the standard `GET requests` filters and
matching the marker. Only when neither finds it is the request sent again (with the same portal
id and Idempotency-Key).
"""

import logging
import random
import time
import uuid
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import attributes, duplicates, open311
from .conf import delivery_policy, endpoint_by_key, endpoint_for_community, lease_seconds
from .models import CaseState, CityDuplicate, Complaint, ComplaintEvent, DeliveryFailure, Outbox
from .photos import signed_url
from .states import move

logger = logging.getLogger(__name__)

UNCONFIGURED_RETRY = timedelta(minutes=5)
_rng = random.Random()


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(attempts-1))]."""
    policy = delivery_policy()
    exponent = min(max(attempts - 1, 0), 40)  # 2^40 times any base is past every cap
    ceiling = min(float(policy["backoff_cap_seconds"]), float(policy["backoff_base_seconds"]) * 2**exponent)
    return timedelta(seconds=(rng or _rng).uniform(0, ceiling))


def escalate(complaint: Complaint, *, author=None, text: str = "", now: datetime | None = None) -> Outbox:
    """Move the case to 'escalated' and write its outbox row, in one transaction; deliver after commit."""
    from .tasks import deliver_outbox

    now = now or timezone.now()
    with transaction.atomic():
        move(complaint, CaseState.ESCALATED, author=author, text=text, at=now)
        outbox, created = Outbox.objects.get_or_create(
            complaint=complaint,
            defaults={
                "next_try_at": now,
                "created_at": now,
                "endpoint_key": endpoint_for_community(complaint.community).key,
            },
        )
        if not created and outbox.state == Outbox.State.DEAD:
            requeue(outbox, now=now)
        transaction.on_commit(lambda: deliver_outbox.enqueue(outbox.pk))
    return outbox


def requeue(outbox: Outbox, *, now: datetime | None = None) -> None:
    """Staff put a dead-lettered delivery back in the queue with a fresh attempt budget."""
    now = now or timezone.now()
    Outbox.objects.filter(pk=outbox.pk, state=Outbox.State.DEAD).update(
        state=Outbox.State.PENDING, attempts=0, next_try_at=now, created_at=now, lease_id=None, lease_until=None
    )


def _due(now: datetime) -> Q:
    waiting = Q(state__in=[Outbox.State.PENDING, Outbox.State.AWAITING_TOKEN], next_try_at__lte=now)
    lease_expired = Q(state=Outbox.State.IN_FLIGHT, lease_until__lt=now)
    return waiting | lease_expired


class Clock:
    """The engine's time: the caller's `now` (real, or simulated by tests) plus the real time since."""

    def __init__(self, start: datetime):
        self.start = start
        self._t0 = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self._t0)


def claim(now: datetime, limit: int = 1, outbox_id: int | None = None, exclude=()) -> list[Outbox]:
    """Take up to `limit` due rows, each under its own fresh lease. A row whose lease expired (its
    worker died mid-call) is taken again and treated as ambiguous: the dead worker's POST may have landed.

    The delivery loop claims one row at a time, so a lease only ever covers the row being worked on."""
    with transaction.atomic():
        rows = Outbox.objects.filter(_due(now)).exclude(pk__in=list(exclude)).order_by("next_try_at", "pk")
        if outbox_id is not None:
            rows = rows.filter(pk=outbox_id)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        claimed = list(rows[:limit])
        for row in claimed:
            if row.state == Outbox.State.IN_FLIGHT:
                row.ambiguous = True
            row.state = Outbox.State.IN_FLIGHT
            row.lease_id = uuid.uuid4()
            row.lease_until = now + timedelta(seconds=lease_seconds(endpoint_by_key(row.endpoint_key)))
            row.save(update_fields=["state", "ambiguous", "lease_id", "lease_until"])
    return claimed


def renew_lease(row: Outbox, clock) -> bool:
    """Extend the row's lease by a full lease from now, if it is still ours. Called right before every
    call to the city: False means another worker took the row over, and this one must not send."""
    until = clock() + timedelta(seconds=lease_seconds(endpoint_by_key(row.endpoint_key)))
    held = Outbox.objects.filter(pk=row.pk, lease_id=row.lease_id, state=Outbox.State.IN_FLIGHT).update(
        lease_until=until
    )
    if held:
        row.lease_until = until
    else:
        logger.warning("Outbox %s: lease lost before calling the city; the attempt stops", row.pk)
    return bool(held)


class LeaseLost(Exception):
    pass


def process_due(now: datetime | None = None, limit: int | None = None, rng: random.Random | None = None) -> dict:
    """Claim and attempt due rows one at a time (each at most once per pass, at most `limit`, default
    the batch size); returns counts by outcome."""
    clock = Clock(now or timezone.now())
    limit = delivery_policy()["batch_size"] if limit is None else limit
    counts: dict[str, int] = {}
    seen: set[int] = set()
    while len(seen) < limit:
        rows = claim(clock(), 1, exclude=seen)
        if not rows:
            break
        seen.add(rows[0].pk)
        outcome = attempt(rows[0], clock(), rng, clock=clock)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def process_one(outbox_id: int, now: datetime | None = None, rng: random.Random | None = None) -> str:
    clock = Clock(now or timezone.now())
    rows = claim(clock(), 1, outbox_id=outbox_id)
    return attempt(rows[0], clock(), rng, clock=clock) if rows else "not_due"


DESCRIPTION_LIMIT = 4000


def describe(complaint: Complaint) -> str:
    """The description as sent: the resident's text (shortened if need be) and our marker on its own line."""
    tag = open311.marker(complaint.portal_id)
    return f"{complaint.description[: DESCRIPTION_LIMIT - len(tag) - 1]}\n{tag}"


def request_fields(complaint: Complaint) -> dict:
    fields = {
        "service_code": complaint.category.service_code,
        "description": describe(complaint),
        "address_string": complaint.address,
        "attribute[portal_id]": complaint.portal_id,
    }
    fields.update(attributes.request_fields(complaint.category, complaint.attributes))
    if complaint.latitude is not None and complaint.longitude is not None:
        fields["lat"] = str(complaint.latitude)
        fields["long"] = str(complaint.longitude)
    fields.update(photo_fields(complaint))
    # "Do not contact me" wins over a ticked "the city may see my contact details".
    if complaint.share_contact_with_city and complaint.contact_preference != Complaint.Contact.NONE:
        if complaint.contact_phone:
            fields["phone"] = complaint.contact_phone
        if complaint.reporter and complaint.reporter.email:
            fields["email"] = complaint.reporter.email
    return fields


def photo_fields(complaint: Complaint) -> dict:
    """Open311 has one `media_url`: the first photo goes there, and every photo (the first included),
    in order and space-separated, in `attribute[photo_urls]` (docs/open311.md). Each is a signed URL,
    signed afresh on every attempt."""
    urls = [signed_url(photo) for photo in complaint.photos.select_related("complaint__community__site")]
    if not urls:
        return {}
    fields = {"media_url": urls[0]}
    if len(urls) > 1:
        fields["attribute[photo_urls]"] = " ".join(urls)
    return fields


def attempt(row: Outbox, now: datetime, rng: random.Random | None = None, clock=None) -> str:
    """One delivery attempt of a claimed row. Returns the outcome's name."""
    clock = clock or Clock(now)
    endpoint = endpoint_by_key(row.endpoint_key)
    if not endpoint.configured:
        _release(row, next_try_at=now + UNCONFIGURED_RETRY, last_error=_("No Open311 endpoint is configured."))
        return "unconfigured"
    client = open311.Client(endpoint)
    complaint = Complaint.objects.select_related("category", "reporter").get(pk=row.complaint_id)
    row.attempts += 1

    def call(method, *args):
        if not renew_lease(row, clock):
            raise LeaseLost
        return method(*args)

    try:
        if row.token:
            found = call(client.resolve_token, row.token)
            if not found:
                return _retry(
                    row, now, rng, _("The city has not resolved the token yet."), state=Outbox.State.AWAITING_TOKEN
                )
            return _delivered(row, complaint, found, now)
        if row.ambiguous and endpoint.lookups:
            found = _reconcile(call, client, endpoint, row, complaint, clock)
            if found:
                return _delivered(row, complaint, found, now)
            row.ambiguous = False  # the city has no such request: sending is safe again
        result = call(client.post_request, request_fields(complaint), str(row.idempotency_key))
    except LeaseLost:
        return "lease_lost"
    except open311.Open311Error as exc:
        DeliveryFailure.objects.create(outbox=row, endpoint_key=row.endpoint_key, kind=exc.kind, at=now)
        if isinstance(exc, open311.Forbidden):
            return _dead(row, now, str(exc))
        if isinstance(exc, open311.NotFound):
            _resync_catalogue()
        if exc.ambiguous:
            row.ambiguous = True
        return _retry(row, now, rng, str(exc))
    if result.service_request_id:
        return _delivered(row, complaint, result.service_request_id, now)
    row.token = result.token
    return _retry(row, now, rng, "", state=Outbox.State.AWAITING_TOKEN, count_failure=False)


def _reconcile(call, client: open311.Client, endpoint, row: Outbox, complaint: Complaint, clock) -> str:
    """The service_request_id the city already has for this complaint, or "" when it has none."""
    if endpoint.lookup_by_portal_id:
        found = call(client.lookup_by_portal_id, complaint.portal_id)
        if found:
            return found
    if "window" in endpoint.lookups:
        margin = timedelta(seconds=endpoint.window_margin)
        listed = call(
            client.list_requests,
            row.created_at - margin,  # no attempt of this row was made before the row existed
            clock() + margin,
            complaint.category.service_code,
            endpoint.window_status,
        )
        ours = [item for item in listed if complaint.portal_id in open311.markers_in(item.get("description"))]
        if ours:
            # Copies made anyway: the first made is the one we follow, the others are linked to the complaint.
            ours.sort(key=lambda item: (str(item.get("requested_datetime") or ""), str(item["service_request_id"])))
            row.copies = [str(item["service_request_id"]) for item in ours[1:]]
            return str(ours[0]["service_request_id"])
    return ""


def _save(row: Outbox, **changes) -> bool:
    """Write the outcome only while the lease is still ours."""
    updated = Outbox.objects.filter(pk=row.pk, lease_id=row.lease_id).update(lease_id=None, lease_until=None, **changes)
    if not updated:
        logger.warning("Outbox %s: lease lost before the outcome was recorded", row.pk)
    return bool(updated)


def _release(row: Outbox, **changes) -> None:
    _save(row, state=Outbox.State.PENDING, **changes)


def _delivered(row: Outbox, complaint: Complaint, service_request_id: str, now: datetime) -> str:
    with transaction.atomic():
        if _save(
            row,
            state=Outbox.State.DELIVERED,
            service_request_id=service_request_id,
            attempts=row.attempts,
            delivered_at=now,
            last_error="",
            ambiguous=False,
        ):
            ComplaintEvent.objects.create(
                complaint=complaint,
                kind=ComplaintEvent.Kind.NOTE,
                text=_("Delivered to the city's system as request %(id)s.") % {"id": service_request_id},
                created_at=now,
            )
            row.service_request_id = service_request_id
            for copy in getattr(row, "copies", []):
                duplicates.link(row, copy, CityDuplicate.Source.LISTING, now)
    return "delivered"


def _retry(row, now, rng, error: str, state=Outbox.State.PENDING, count_failure=True) -> str:
    policy = delivery_policy()
    too_old = now - row.created_at >= timedelta(hours=policy["max_age_hours"])
    if count_failure and (row.attempts >= policy["max_attempts"] or too_old):
        return _dead(row, now, error)
    delay = backoff(row.attempts, rng) if count_failure else timedelta(seconds=policy["backoff_base_seconds"])
    _save(
        row,
        state=state,
        attempts=row.attempts,
        last_error=error,
        ambiguous=row.ambiguous,
        token=row.token,
        next_try_at=now + delay,
    )
    return "awaiting_token" if state == Outbox.State.AWAITING_TOKEN else "retry"


def _dead(row: Outbox, now: datetime, error: str) -> str:
    logger.error("Outbox %s dead-lettered: %s", row.pk, error)
    _save(row, state=Outbox.State.DEAD, attempts=row.attempts, last_error=error, ambiguous=row.ambiguous)
    return "dead"


def _resync_catalogue() -> None:
    from .tasks import sync_catalogue

    try:
        sync_catalogue.enqueue()
    except Exception:  # the resync is a courtesy: never let it break a delivery attempt
        logger.exception("Could not enqueue a catalogue resync")
