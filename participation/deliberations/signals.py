from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import ImplementationUpdate


@receiver(post_save, sender=ImplementationUpdate)
def implementation_update_posted(sender, instance, created, raw=False, **kwargs):
    """A new progress update (however it was saved): participants are told by a task, after the commit."""
    if created and not raw:
        from .tasks import notify_update

        transaction.on_commit(lambda: notify_update.enqueue(instance.pk))
