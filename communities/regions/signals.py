"""A community's look lives in its settings: saving them must drop its cached pages."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from portal.core.page_cache import purge_site

from .models import CommunitySettings


@receiver(post_save, sender=CommunitySettings)
def community_settings_saved(sender, instance, **kwargs):
    purge_site(instance.site_id)
