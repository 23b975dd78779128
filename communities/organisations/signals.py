"""Stamp disclosure dates when a version goes public; give every new community its organisations section."""

import logging

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from wagtail.signals import page_published

from communities.regions.models import Community
from portal.core.page_cache import purge_site

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


@receiver(page_published, sender=ProjectPage)
def project_published(sender, instance, **kwargs):
    ProjectUpdate.objects.filter(page=instance, disclosed_on__isnull=True).update(disclosed_on=timezone.localdate())


@receiver(post_save, sender=Community)
def community_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .provisioning import ensure_organisation_section

        ensure_organisation_section(instance)
