"""The resident hears of every public change to their complaint, once per timeline line."""

from django.conf import settings
from django.dispatch import receiver
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.core.links import site_url
from portal.notifications.services import notify

from .models import ComplaintEvent
from .signals import timeline_changed


def notification_key(event: ComplaintEvent) -> str:
    return f"complaint.event.{event.pk}"


@receiver(timeline_changed, dispatch_uid="complaints.notify_reporter")
def notify_reporter(sender, complaint, event, **kwargs):
    # Anonymous complaints have no account to tell; nobody is told of what they did themselves.
    if complaint.reporter_id is None or event.author_id == complaint.reporter_id:
        return
    url = site_url(complaint.community.site, reverse("complaints:detail", kwargs={"reference": complaint.reference}))
    with translation.override(settings.LANGUAGE_CODE):
        if event.kind == ComplaintEvent.Kind.REPLY:
            text = _("Your complaint #%(id)s has a new reply.") % {"id": complaint.pk}
        else:
            text = _("Your complaint #%(id)s: %(state)s.") % {"id": complaint.pk, "state": event.get_to_state_display()}
    notify(
        complaint.reporter,
        "complaint.update",
        text,
        url=url,
        key=notification_key(event),
        community=complaint.community,
    )
