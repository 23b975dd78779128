"""A community's settings show on every page of its site: a change purges that site's page cache."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from portal.core.page_cache import purge_site

from .models import CommunitySettings


@receiver(post_save, sender=CommunitySettings)
@receiver(post_delete, sender=CommunitySettings)
def settings_changed(sender, instance, **kwargs):
    purge_site(instance.site_id)
