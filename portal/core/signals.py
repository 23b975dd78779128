"""Purge the page cache of a site when any of its pages changes."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from .page_cache import purge_all, purge_site


def _purge_for_page(page):
    matches = [s for s in Site.get_site_root_paths() if page.url_path.startswith(s.root_path)]
    if not matches:
        return purge_all()
    deepest = max(matches, key=lambda s: len(s.root_path))
    purge_site(deepest.site_id)


@receiver(page_published)
@receiver(page_unpublished)
def page_changed(sender, instance, **kwargs):
    _purge_for_page(instance)


@receiver(post_page_move)
def page_moved(sender, instance, **kwargs):
    purge_all()


@receiver(post_delete, sender=Page)
def page_deleted(sender, instance, **kwargs):
    _purge_for_page(instance)


@receiver(post_save, sender=Site)
@receiver(post_delete, sender=Site)
def site_changed(sender, instance, **kwargs):
    purge_all()
