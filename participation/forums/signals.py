from django.db.models.signals import post_save
from django.dispatch import receiver

from communities.regions.models import Community

from .pages import add_forum_page


@receiver(post_save, sender=Community)
def community_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        add_forum_page(instance)
