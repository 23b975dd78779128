"""Purge the page cache of a site when any of its pages changes."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from . import sites
from .page_cache import purge_all, purge_site


def _purge_for_page(page):
    root_paths = Site.get_site_root_paths()
    parent_url_path = page.url_path[: page.url_path.rstrip("/").rfind("/") + 1]
    if any(
        s.root_path in (page.url_path, parent_url_path) or s.root_path.startswith(page.url_path) for s in root_paths
    ):
        # A site's root, a page of its menu, or a page above a site's root (a street: the breadcrumbs of every
        # community below it): the site maps hold them (URL, title, menu entries, breadcrumbs).
        return purge_all()
    matches = [s for s in root_paths if page.url_path.startswith(s.root_path)]
    if not matches:
        return purge_all()
    deepest = max(matches, key=lambda s: len(s.root_path))
    purge_site(deepest.site_id)


@receiver(page_published)
@receiver(page_unpublished)
def page_changed(sender, instance, **kwargs):
    _purge_for_page(instance)


@receiver(post_page_move)
@receiver(page_slug_changed)
def page_moved(sender, instance, **kwargs):
    purge_all()


@receiver(post_delete, sender=Page)
def page_deleted(sender, instance, **kwargs):
    _purge_for_page(instance)


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def restriction_changed(sender, instance, **kwargs):
    # Cache hits are served before Wagtail checks restrictions, and the site maps list the pages
    # that may be restricted: renew both everywhere. (Creating an alias copies its source's
    # restrictions onto it, so it comes through here too.)
    purge_all()


@receiver(post_save, sender=Site)
@receiver(post_delete, sender=Site)
def site_changed(sender, instance, **kwargs):
    purge_all()


@receiver(post_save)
@receiver(post_delete)
def site_setting_changed(sender, instance, **kwargs):
    # The site maps hold every site's settings.
    if isinstance(instance, BaseSiteSetting):
        purge_all()


@receiver(post_save)
@receiver(post_delete)
def community_changed(sender, instance, **kwargs):
    # The site maps hold every site's community (portal.core.sites.community_for_request).
    relation = sites.community_relation()
    if relation is not None and sender is relation.related_model:
        purge_all()
