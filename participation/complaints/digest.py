"""The daily list of deliveries that are stuck, for staff."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import DeliveryFailure, Outbox

STUCK_AFTER_ATTEMPTS = 3
TOKEN_STUCK_AFTER = timedelta(hours=1)
KEEP_FAILURES = timedelta(days=7)  # the overview shows the last day's; a week is kept for questions


def stuck_deliveries(now: datetime | None = None):
    now = now or timezone.now()
    return (
        Outbox.objects.filter(
            Q(state=Outbox.State.DEAD)
            | Q(state=Outbox.State.PENDING, attempts__gte=STUCK_AFTER_ATTEMPTS)
            | Q(state=Outbox.State.PENDING, created_at__lt=now - timedelta(hours=1))
            | Q(state=Outbox.State.AWAITING_TOKEN, created_at__lt=now - TOKEN_STUCK_AFTER)
            | Q(state=Outbox.State.IN_FLIGHT, lease_until__lt=now)
        )
        .select_related("complaint__community", "complaint__category")
        .order_by("state", "created_at")
    )


def digest_recipients() -> list[str]:
    admins = get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(email="")
    return sorted(set(settings.OPEN311_DIGEST_RECIPIENTS) | set(admins.values_list("email", flat=True)))


def send_stuck_digest(now: datetime | None = None) -> int:
    """Mail the list when there is something on it; returns the number of stuck deliveries. Failed
    attempts older than a week are forgotten on the way."""
    DeliveryFailure.objects.filter(at__lt=(now or timezone.now()) - KEEP_FAILURES).delete()
    rows = list(stuck_deliveries(now))
    recipients = digest_recipients()
    if rows and recipients:
        body = render_to_string("complaints/email/stuck_digest.txt", {"rows": rows})
        subject = _("%(count)s complaint deliveries to the city are stuck") % {"count": len(rows)}
        send_mail(subject, body, None, recipients)
    return len(rows)
