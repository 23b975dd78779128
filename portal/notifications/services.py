"""The one way to tell a user something: `notify(...)`."""

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from portal.core.statements import Statement

from . import channels
from .models import Notification


def notify(recipient, verb: str, text: str, url: str = "", key: str = "", community=None) -> bool:
    """Record a notification once per (recipient, key). Returns False when it was already recorded.

    `key` identifies the event ("forum.post.57"); without one, every call records a new notification.
    `community` is where it happened: channels such as WeChat deliver through that community's account.
    A new notification goes to the delivery channels (portal.notifications.channels) once recorded.
    """
    if recipient is None or not getattr(recipient, "is_active", True):
        return False
    if not key:
        key = f"{verb}:{timezone.now().timestamp()}"
    notification, created = Notification.objects.get_or_create(
        recipient=recipient,
        key=key[:200],
        defaults={"verb": verb, "text": text[:300], "url": url[:500], "community": community},
    )
    if created and channels.channels():
        transaction.on_commit(lambda: channels.deliver(notification))
    return created


def _unread_rows(user):
    unread = Notification.objects.filter(recipient_id=user, read_at__isnull=True).order_by()
    return unread.values("recipient_id").annotate(n=Count("pk")).values_list("n")


_unread = Statement(_unread_rows)  # in the header of every page a signed-in user reads: compiled once


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return _unread.first(0, user=user.pk)


def mark_all_read(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
