"""Set up, in one transaction each, a community's organisations section on the community approval workflow,
and an organisation's own staff group with rights on its own pages only.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, WorkflowPage

from communities.regions.approval import community_approval_workflow
from communities.regions.provisioning import ProvisioningError, _permissions

from .models import OrganisationAccess, OrganisationIndexPage, OrganisationPage

# No publish_page: what organisation staff write is public only once the community approves it.
STAFF_PAGE_PERMISSIONS = ["add_page", "change_page"]
STAFF_COLLECTION_PERMISSIONS = [
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
]
SECTION_SLUG = "organisations"


def section_title() -> str:
    return _("Social organisations")


@transaction.atomic
def ensure_organisation_section(community) -> OrganisationIndexPage:
    """The community's organisations index, on the one community approval workflow (its staff approve)."""
    home = community.root_page
    index = OrganisationIndexPage.objects.child_of(home).first()
    if index is None:
        with translation.override(settings.LANGUAGE_CODE):
            index = home.add_child(
                instance=OrganisationIndexPage(title=section_title(), slug=SECTION_SLUG, show_in_menus=True)
            )
    if not WorkflowPage.objects.filter(page=index).exists():
        WorkflowPage.objects.create(workflow=community_approval_workflow(), page=index)
    return index


def workflow_for(community):
    index = OrganisationIndexPage.objects.child_of(community.root_page).first()
    link = WorkflowPage.objects.filter(page=index).select_related("workflow").first() if index else None
    return link.workflow if link else None


@transaction.atomic
def provision_organisation_staff(organisation: OrganisationPage) -> OrganisationAccess:
    """A staff group that may edit and submit (not publish) this organisation's pages, and its collection."""
    existing = OrganisationAccess.objects.filter(page=organisation).select_related("staff_group").first()
    if existing:
        return existing
    community = organisation.home_community()
    if community is None:
        raise ProvisioningError(_("%(name)s is not under a community's site.") % {"name": organisation.title})
    with translation.override(settings.LANGUAGE_CODE):
        group_name = _("%(name)s staff") % {"name": organisation.title}
    if Group.objects.filter(name=group_name).exists():
        raise ProvisioningError(_("A group named '%(name)s' already exists.") % {"name": group_name})
    group = Group.objects.create(name=group_name)
    group.permissions.add(*_permissions([("wagtailadmin", "access_admin")]))
    for perm in _permissions([("wagtailcore", codename) for codename in STAFF_PAGE_PERMISSIONS]):
        GroupPagePermission.objects.create(group=group, page=organisation, permission=perm)
    parent_collection = Collection.objects.get(pk=community.collection_id)
    collection = parent_collection.add_child(name=organisation.title)
    for perm in _permissions(STAFF_COLLECTION_PERMISSIONS):
        GroupCollectionPermission.objects.create(group=group, collection=collection, permission=perm)
    return OrganisationAccess.objects.create(page=organisation, staff_group=group, collection=collection)
