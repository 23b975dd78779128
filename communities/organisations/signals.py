"""Stamp disclosure dates when a version goes public; give every new community its organisations section."""

import logging

from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.signals import page_published

from communities.regions.models import Community
from portal.core.page_cache import purge_all, purge_site

from .models import FinancialReport, MajorEvent, OrganisationAccess, OrganisationPage, ProjectPage, ProjectUpdate

logger = logging.getLogger(__name__)


@receiver(page_published, sender=OrganisationPage)
def organisation_published(sender, instance, **kwargs):
    today = timezone.localdate()
    # Query the tables, not the page's in-memory cluster: the rows now in the database are what is public.
    FinancialReport.objects.filter(page=instance, disclosed_on__isnull=True).update(disclosed_on=today)
    MajorEvent.objects.filter(page=instance, disclosed_on__isnull=True).update(disclosed_on=today)
    provide_staff_group(instance)
    # The organisation is listed on every community it serves, not only on its own site.
    for site_id in instance.served_communities().values_list("site_id", flat=True):
        purge_site(site_id)


def provide_staff_group(organisation):
    """Give a newly published organisation its staff group, so nobody sets one up by hand."""
    from communities.regions.provisioning import ProvisioningError

    from .provisioning import provision_organisation_staff

    if OrganisationAccess.objects.filter(page=organisation).exists():
        return
    try:
        provision_organisation_staff(organisation)
    except ProvisioningError as exc:
        logger.warning("No staff group for organisation %s: %s", organisation.pk, exc)


@receiver(post_save, sender=get_document_model())
@receiver(pre_delete, sender=get_document_model())
def referenced_document_changed(sender, instance, created=False, raw=False, **kwargs):
    """An organisation's profile is kept once per published version (`OrganisationPage.sitewide_key`), and shows
    its financial reports' documents (title and URL), which can be renamed, replaced or deleted (the report then
    loses it) without a publish. When a document a report uses changes, move the city generation: every process
    drops its kept renderings with its site map. A new document is used by no report yet; one no report uses
    changes nothing kept. (Before the deletion: the reports still point at it then.)"""
    if created or raw:
        return
    if FinancialReport.objects.filter(document=instance).exists():
        purge_all()


@receiver(page_published, sender=ProjectPage)
def project_published(sender, instance, **kwargs):
    ProjectUpdate.objects.filter(page=instance, disclosed_on__isnull=True).update(disclosed_on=timezone.localdate())


@receiver(post_save, sender=Community)
def community_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .provisioning import ensure_organisation_section

        ensure_organisation_section(instance)
