"""Create, rename and remove regions and communities, each in one transaction.

Nothing about a community is ever set up by hand: its Site, page subtree, collection,
groups with their permissions and its settings are all made here.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, GroupSitePermission, Page, Site

from .models import Community, CommunitySettings, Region, slug_validator

EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
EDITOR_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]


class ProvisioningError(Exception):
    """Bad input for a provisioning step; the message is meant for the operator."""


@dataclass
class Result:
    obj: object
    created: bool


def site_port() -> int:
    return int(getattr(settings, "PORTAL_SITE_PORT", 80))


def default_hostname(slug: str) -> str:
    return f"{slug}.{settings.PORTAL_BASE_DOMAIN}"


def check_slug(slug: str) -> None:
    try:
        slug_validator(slug)
    except ValidationError as exc:
        raise ProvisioningError(
            _("Invalid slug '%(slug)s': %(reason)s") % {"slug": slug, "reason": exc.messages[0]}
        ) from exc


def _permissions(pairs):
    # Only the rows asked for: loading every permission made each community cost thousands of objects.
    wanted = Permission.objects.filter(
        content_type__app_label__in={app for app, _ in pairs}, codename__in={codename for _, codename in pairs}
    ).select_related("content_type")
    found = {(p.content_type.app_label, p.codename): p for p in wanted}
    return [found[pair] for pair in pairs]


def grant_editing(group: Group, page: Page, collection: Collection) -> None:
    """Editing rights on one page subtree and one collection subtree, and admin access."""
    group.permissions.add(*_permissions([("wagtailadmin", "access_admin")]))
    for perm in _permissions([("wagtailcore", codename) for codename in EDITOR_PAGE_PERMISSIONS]):
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=perm)
    for perm in _permissions(EDITOR_COLLECTION_PERMISSIONS):
        GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=perm)


def model_permissions(setting: str) -> list[tuple[str, str]]:
    """The (app_label, codename) pairs a settings list such as PORTAL_EDITOR_PERMISSIONS names."""
    return [tuple(name.split(".", 1)) for name in getattr(settings, setting)]


def grant_site_settings(site: Site, groups) -> None:
    """Let these groups edit this site's settings (Wagtail's per-site permission), and no other site's."""
    (perm,) = _permissions([("regions", "change_communitysettings")])
    for group in groups:
        GroupSitePermission.objects.get_or_create(group=group, site=site, permission=perm)


def editors_group_name(name: str, slug: str) -> str:
    # The slug keeps group names unique: community and street names repeat across a city.
    return _("%(name)s editors (%(slug)s)") % {"name": name, "slug": slug}


def moderators_group_name(name: str, slug: str) -> str:
    return _("%(name)s moderators (%(slug)s)") % {"name": name, "slug": slug}


def _new_group(name: str) -> Group:
    if Group.objects.filter(name=name).exists():
        raise ProvisioningError(_("A group named '%(name)s' already exists.") % {"name": name})
    return Group.objects.create(name=name)


def _remove_wagtail_welcome_page() -> None:
    """Wagtail's first migration makes a placeholder page and Site; the city portal replaces them."""
    placeholder = Page.objects.filter(depth=2, content_type=ContentType.objects.get_for_model(Page))
    Site.objects.filter(root_page__in=placeholder).delete()
    for page in placeholder:
        page.delete()


@transaction.atomic
def provision_city(name: str, slug: str = "city") -> Result:
    """The city portal: the root of the page and collection trees and the default Site."""
    from communities.pages.models import CityHomePage

    existing = Region.objects.filter(kind=Region.Kind.CITY).first()
    if existing:
        return Result(existing, False)
    check_slug(slug)
    root = Page.get_first_root_node()
    home = root.add_child(instance=CityHomePage(title=name, slug=slug))
    _remove_wagtail_welcome_page()
    site = Site.objects.create(
        hostname=settings.PORTAL_BASE_DOMAIN, port=site_port(), root_page=home, is_default_site=True, site_name=name
    )
    CommunitySettings.objects.create(site=site, display_name=name)
    collection = Collection.get_first_root_node().add_child(name=name)
    group = _new_group(editors_group_name(name, slug))
    grant_editing(group, home, collection)
    city = Region.objects.create(
        kind=Region.Kind.CITY, name=name, slug=slug, page=home, collection=collection, editors_group=group
    )
    return Result(city, True)


@transaction.atomic
def provision_region(kind: str, name: str, slug: str, parent_slug: str) -> Result:
    """A district under the city, or a street under a district."""
    from communities.pages.models import DistrictPage, StreetPage

    expected_parent = {Region.Kind.DISTRICT: Region.Kind.CITY, Region.Kind.STREET: Region.Kind.DISTRICT}
    if kind not in expected_parent:
        raise ProvisioningError(_("Unknown region kind '%(kind)s'.") % {"kind": kind})
    check_slug(slug)
    parent = Region.objects.filter(slug=parent_slug, kind=expected_parent[kind]).first()
    if parent is None:
        raise ProvisioningError(
            _("No %(kind)s with slug '%(slug)s'.") % {"kind": expected_parent[kind].label, "slug": parent_slug}
        )
    existing = Region.objects.filter(slug=slug).first()
    if existing:
        if existing.kind == kind and existing.name == name and existing.parent_id == parent.pk:
            return Result(existing, False)
        raise ProvisioningError(
            _("The slug '%(slug)s' is already used by %(name)s.") % {"slug": slug, "name": existing}
        )
    page_class = DistrictPage if kind == Region.Kind.DISTRICT else StreetPage
    page = parent.page.add_child(instance=page_class(title=name, slug=slug))
    collection = parent.collection.add_child(name=name)
    group = _new_group(editors_group_name(name, slug))
    grant_editing(group, page, collection)
    region = Region.objects.create(
        kind=kind, name=name, slug=slug, parent=parent, page=page, collection=collection, editors_group=group
    )
    return Result(region, True)


DNS_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOSTNAME_RE = re.compile(rf"^(?=.{{1,253}}$){DNS_LABEL}(?:\.{DNS_LABEL})*$")


def check_hostname(hostname: str) -> None:
    if not HOSTNAME_RE.match(hostname):
        raise ProvisioningError(
            _("Invalid hostname '%(host)s': use a bare DNS name such as shequ.example.gov.cn, without scheme or path.")
            % {"host": hostname}
        )


def check_name(name: str) -> None:
    if not name.strip():
        raise ProvisioningError(_("A community needs a name."))
    max_length = Community._meta.get_field("name").max_length
    if len(name) > max_length:
        raise ProvisioningError(_("A name has at most %(n)d characters.") % {"n": max_length})


def _check_community_input(name: str, slug: str, street_slug: str, hostname: str) -> Region:
    check_slug(slug)
    check_name(name)
    check_hostname(hostname)
    street = Region.objects.filter(slug=street_slug, kind=Region.Kind.STREET).first()
    if street is None:
        raise ProvisioningError(_("No street with slug '%(slug)s'.") % {"slug": street_slug})
    if Site.objects.filter(hostname=hostname).exists():
        raise ProvisioningError(_("The hostname '%(host)s' is already taken.") % {"host": hostname})
    return street


@transaction.atomic
def provision_community(name: str, slug: str, street_slug: str, hostname: str | None = None) -> Result:
    """Everything a community needs, or nothing: its Site, pages, collection, groups and settings."""
    from communities.pages.models import CommunityHomePage

    check_slug(slug)
    hostname = (hostname or default_hostname(slug)).strip().lower()
    existing = Community.objects.filter(slug=slug).select_related("street").first()
    if existing:
        if existing.name == name and existing.street.slug == street_slug and existing.hostname == hostname:
            return Result(existing, False)
        raise ProvisioningError(
            _("The slug '%(slug)s' is already taken by the community %(name)s.") % {"slug": slug, "name": existing}
        )
    street = _check_community_input(name, slug, street_slug, hostname)
    with translation.override(settings.LANGUAGE_CODE):
        home = street.page.add_child(instance=CommunityHomePage(title=name, slug=slug))
        home.add_standard_sections()
    site = Site.objects.create(hostname=hostname, port=site_port(), root_page=home, site_name=name)
    CommunitySettings.objects.create(site=site, display_name=name)
    collection = street.collection.add_child(name=name)
    editors = _new_group(editors_group_name(name, slug))
    moderators = _new_group(moderators_group_name(name, slug))
    grant_editing(editors, home, collection)
    editors.permissions.add(*_permissions(model_permissions("PORTAL_EDITOR_PERMISSIONS")))
    moderators.permissions.add(
        *_permissions([("wagtailadmin", "access_admin"), *model_permissions("PORTAL_MODERATOR_PERMISSIONS")])
    )
    grant_site_settings(site, [editors, street.editors_group, street.parent.editors_group])
    community = Community.objects.create(
        name=name,
        slug=slug,
        hostname=hostname,
        street=street,
        site=site,
        root_page=home,
        collection=collection,
        editors_group=editors,
        moderators_group=moderators,
    )
    return Result(community, True)


def _rename_draft(home: Page) -> None:
    """The admin edits the latest draft: rename it too, or its next publish brings the old name back."""
    if not home.has_unpublished_changes or not home.latest_revision_id:
        return
    draft = home.get_latest_revision_as_object()
    draft.title, draft.slug = home.title, home.slug
    draft.save_revision(clean=False, log_action=False)


@transaction.atomic
def rename_community(slug: str, name: str | None = None, new_slug: str | None = None, hostname: str | None = None):
    community = Community.objects.select_for_update().filter(slug=slug).first()
    if community is None:
        raise ProvisioningError(_("No community with slug '%(slug)s'.") % {"slug": slug})
    if new_slug and new_slug != slug:
        check_slug(new_slug)
        if Community.objects.filter(slug=new_slug).exists():
            raise ProvisioningError(_("The slug '%(slug)s' is already taken.") % {"slug": new_slug})
        if hostname is None and community.hostname == default_hostname(slug):
            hostname = default_hostname(new_slug)
        community.slug = new_slug
    if hostname and hostname != community.hostname:
        hostname = hostname.strip().lower()
        check_hostname(hostname)
        if Site.objects.filter(hostname=hostname).exists():
            raise ProvisioningError(_("The hostname '%(host)s' is already taken.") % {"host": hostname})
        community.hostname = hostname
    if name:
        check_name(name)
        community.name = name
    community.save()

    home = community.root_page.specific
    home.title, home.slug = community.name, community.slug
    home.save()
    _rename_draft(home)
    site = community.site
    site.hostname, site.site_name = community.hostname, community.name
    site.save()
    Collection.objects.filter(pk=community.collection_id).update(name=community.name)
    community.editors_group.name = editors_group_name(community.name, community.slug)
    community.editors_group.save()
    community.moderators_group.name = moderators_group_name(community.name, community.slug)
    community.moderators_group.save()
    return community


def _holds_media(collection: Collection) -> bool:
    """Images or documents in the collection or below it (collection members have no reverse accessor)."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    collections = collection.get_descendants(inclusive=True)
    return any(
        model.objects.filter(collection__in=collections).exists() for model in (get_image_model(), get_document_model())
    )


@transaction.atomic
def remove_community(slug: str) -> None:
    """Remove a community, its pages, Site, groups and settings. Its collection must be empty."""
    community = Community.objects.select_for_update().filter(slug=slug).first()
    if community is None:
        raise ProvisioningError(_("No community with slug '%(slug)s'.") % {"slug": slug})
    collection = community.collection
    if _holds_media(collection):
        raise ProvisioningError(
            _("The collection of %(name)s still holds images or documents: move or delete them first.")
            % {"name": community.name}
        )
    site, home = community.site, community.root_page
    groups = [community.editors_group, community.moderators_group]
    community.delete()
    CommunitySettings.objects.filter(site=site).delete()
    site.delete()
    home.specific.delete()
    collection.delete()
    for group in groups:
        group.delete()


@transaction.atomic
def follow_site_port(port: int | None = None) -> int:
    """Give every Site of the portal's hosts `port` (default PORTAL_SITE_PORT). Returns how many changed.

    Wagtail builds page URLs between sites (menus, the admin's "view live") from each Site's port, so
    a demo seeded on one port and served on another (`make run PORT=8101`) must move its Sites.
    """
    from portal.core.links import is_portal_host

    port = site_port() if port is None else port
    if not 0 < port < 65536:
        raise ProvisioningError(_("Invalid port %(port)s: a port is a number from 1 to 65535.") % {"port": port})
    changed = 0
    for site in Site.objects.exclude(port=port).order_by("pk"):
        if is_portal_host(site.hostname):
            site.port = port
            site.save(update_fields=["port"])  # signals: Wagtail's root paths and the site map are refreshed
            changed += 1
    return changed
