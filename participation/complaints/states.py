"""The case state machine: every allowed move of a complaint, in one place."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import CaseState as S
from .models import Complaint, ComplaintEvent
from .signals import timeline_changed

ALLOWED = {
    S.SUBMITTED: {S.ACCEPTED, S.RETURNED, S.DUPLICATE, S.NOT_RESPONSIBLE},
    S.ACCEPTED: {S.ESCALATED, S.IN_PROGRESS, S.REPLIED, S.DUPLICATE, S.NOT_RESPONSIBLE, S.RETURNED},
    S.ESCALATED: {S.DISPATCHED, S.IN_PROGRESS, S.REPLIED, S.CLOSED, S.NOT_RESPONSIBLE, S.DUPLICATE, S.RETURNED},
    S.DISPATCHED: {S.IN_PROGRESS, S.REPLIED, S.CLOSED, S.NOT_RESPONSIBLE, S.DUPLICATE},
    S.IN_PROGRESS: {S.REPLIED, S.CLOSED, S.NOT_RESPONSIBLE},
    S.REPLIED: {S.CLOSED, S.IN_PROGRESS},
    S.CLOSED: {S.EVALUATED, S.REOPENED},
    S.REOPENED: {S.ACCEPTED, S.ESCALATED, S.IN_PROGRESS, S.REPLIED, S.CLOSED},
    S.EVALUATED: set(),
    S.RETURNED: set(),
    S.DUPLICATE: set(),
    S.NOT_RESPONSIBLE: set(),
}

# Shown in the public record: public complaints a worker has looked at (not those still waiting or sent back).
PUBLIC_STATES_EXCLUDED = [S.SUBMITTED, S.RETURNED]
FINISHED_STATES = {S.CLOSED, S.EVALUATED, S.RETURNED, S.DUPLICATE, S.NOT_RESPONSIBLE}

# How far along the city's handling a state is: a city update never moves a case to a lower rank.
CITY_RANK = {
    S.ESCALATED: 1,
    S.REOPENED: 1,
    S.DISPATCHED: 2,
    S.IN_PROGRESS: 3,
    S.REPLIED: 4,
    S.CLOSED: 5,
    S.NOT_RESPONSIBLE: 5,
    S.DUPLICATE: 5,
    S.EVALUATED: 6,
}


class TransitionError(Exception):
    pass


def can_move(complaint: Complaint, to_state: str) -> bool:
    return to_state in ALLOWED.get(complaint.state, set())


def move(complaint: Complaint, to_state: str, *, author=None, text: str = "", from_city=False, update_id=None, at=None):
    """Change the case state and write the timeline line. Call inside a transaction."""
    if not can_move(complaint, to_state):
        raise TransitionError(
            _("A complaint cannot go from %(from)s to %(to)s.")
            % {"from": S(complaint.state).label, "to": S(to_state).label}
        )
    at = at or timezone.now()
    previous = complaint.state
    complaint.state = to_state
    if to_state == S.ACCEPTED and complaint.accepted_at is None:
        complaint.accepted_at = at
        complaint.deadline = at + timedelta(days=complaint.category.deadline_days)
    if to_state in FINISHED_STATES and complaint.closed_at is None:
        complaint.closed_at = at
    if to_state == S.REOPENED:
        complaint.closed_at = None
        complaint.rating = ""
    complaint.save()
    event = ComplaintEvent.objects.create(
        complaint=complaint,
        kind=ComplaintEvent.Kind.STATE,
        from_state=previous,
        to_state=to_state,
        text=text,
        author=author,
        from_city=from_city,
        city_update_id=update_id,
        created_at=at,
    )
    announce(event)
    return event


def announce(event: ComplaintEvent) -> None:
    """Tell listeners (notifications, live timelines) once the line is committed."""
    if event.is_public:
        transaction.on_commit(
            lambda: timeline_changed.send(sender=Complaint, complaint=event.complaint, event=event), robust=True
        )
