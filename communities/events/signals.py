"""Drop the kept renderings of event pages when a tag they show changes without a publish."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from taggit.models import Tag

from portal.core.page_cache import purge_all


@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
def tag_changed(sender, instance, created=False, raw=False, **kwargs):
    """An event's page is kept once per published version (`EventPage.sitewide_key`) with its tags' names and links:
    a tag renamed or deleted (its events lose it) moves the city generation, and every process drops what it kept
    with its site map. A new tag is on no kept page yet."""
    if not created and not raw:
        purge_all()
