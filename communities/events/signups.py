"""Sign-up and cancellation under a row lock on the event, so capacity is never exceeded."""

from django.db import transaction
from django.utils import timezone

from .models import EventPage, EventSignup


def _lock(event: EventPage) -> EventPage:
    return EventPage.objects.select_for_update(of=("self",)).get(pk=event.pk)


@transaction.atomic
def sign_up(event: EventPage, user) -> EventSignup:
    event = _lock(event)
    signup = EventSignup.objects.filter(event=event, user=user).first()
    if signup and signup.status != EventSignup.Status.CANCELLED:
        return signup
    confirmed = EventSignup.objects.filter(event=event, status=EventSignup.Status.CONFIRMED).count()
    status = (
        EventSignup.Status.CONFIRMED if not event.capacity or confirmed < event.capacity else EventSignup.Status.WAITING
    )
    if signup is None:
        return EventSignup.objects.create(event=event, user=user, status=status)
    signup.status, signup.created_at = status, timezone.now()
    signup.save(update_fields=["status", "created_at"])
    return signup


@transaction.atomic
def cancel(event: EventPage, user) -> EventSignup | None:
    """Cancel a sign-up; a freed place goes to the first on the waiting list."""
    event = _lock(event)
    signup = EventSignup.objects.filter(event=event, user=user).first()
    if signup is None or signup.status == EventSignup.Status.CANCELLED:
        return signup
    was_confirmed = signup.status == EventSignup.Status.CONFIRMED
    signup.status = EventSignup.Status.CANCELLED
    signup.save(update_fields=["status"])
    if was_confirmed:
        first_waiting = (
            EventSignup.objects.filter(event=event, status=EventSignup.Status.WAITING)
            .order_by("created_at", "pk")
            .first()
        )
        if first_waiting:
            first_waiting.status = EventSignup.Status.CONFIRMED
            first_waiting.save(update_fields=["status"])
    return signup
