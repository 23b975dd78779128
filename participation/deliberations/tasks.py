"""Background work: notifying participants, and sealing topics whose voting has ended.

With the database backend, `manage.py seal_ballots` (cron, every minute) seals what is due, or
`manage.py seal_ballots --enqueue` hands that to a worker; see docs/deploy.md.
"""

from django_tasks import task

from . import notices
from .models import ImplementationUpdate, Topic


@task()
def notify_decided(topic_id: int) -> int:
    topic = Topic.objects.select_related("community__site").filter(pk=topic_id).first()
    return notices.notify_decided(topic) if topic else 0


@task()
def notify_update(update_id: int) -> int:
    update = ImplementationUpdate.objects.select_related("topic__community__site").filter(pk=update_id).first()
    return notices.notify_update(update) if update else 0


def seal_due() -> list[int]:
    """Seal every topic whose voting has ended, whether or not anybody opens its page; their ids."""
    from django.utils import timezone

    from . import ballots

    due = Topic.objects.filter(sealed_at__isnull=True, voting_ends__lte=timezone.now())
    return [ballots.seal(topic).pk for topic in due]


@task()
def seal_due_topics() -> list[int]:
    notices.announce_due()
    return seal_due()
