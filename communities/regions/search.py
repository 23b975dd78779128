"""What communities gives the search index: where each community is, and the community terms."""

from django.db.models.signals import post_delete, post_save

from portal.core.links import site_url
from portal.search import dictionary, places, registry

from .models import Community, Region, SearchTerm


def community_places() -> dict:
    rows = Community.objects.select_related("street__parent", "site")
    return {
        c.pk: places.Place(
            community_id=c.pk,
            community=c.name,
            slug=c.slug,
            street_id=c.street_id,
            street=c.street.name,
            district_id=c.street.parent_id,
            district=c.street.parent.name if c.street.parent else "",
            root_url=site_url(c.site),
            site_id=c.site_id,
        )
        for c in rows
    }


def community_terms():
    return SearchTerm.objects.values_list("word", flat=True)


def _places_changed(**kwargs):
    places.forget()


def _terms_changed(sender, instance, **kwargs):
    from django.db import transaction

    from portal.search.tasks import reindex_containing

    dictionary.changed()
    if not kwargs.get("raw"):
        transaction.on_commit(lambda: reindex_containing.enqueue([instance.word]))


def grant_term_permissions(**kwargs):
    """After migrate: editors of communities provisioned before the search terms existed may manage them
    too (new communities get the permissions from PORTAL_EDITOR_PERMISSIONS when provisioned)."""
    from django.contrib.auth.models import Group, Permission

    permissions = list(Permission.objects.filter(content_type__app_label="regions", codename__endswith="_searchterm"))
    if not permissions:
        return
    through = Group.permissions.through
    rows = [
        through(group_id=group_id, permission_id=permission.pk)
        for group_id in Community.objects.values_list("editors_group_id", flat=True)
        for permission in permissions
    ]
    through.objects.bulk_create(rows, ignore_conflicts=True)


def connect():
    registry.register_places(community_places)
    dictionary.register_source(community_terms)
    for model in (Community, Region):
        post_save.connect(_places_changed, sender=model, dispatch_uid=f"search-places-{model.__name__}")
    post_save.connect(_terms_changed, sender=SearchTerm, dispatch_uid="search-terms-save")
    post_delete.connect(_terms_changed, sender=SearchTerm, dispatch_uid="search-terms-delete")
