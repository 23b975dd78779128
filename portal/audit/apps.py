from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# A fixed name (data, looked up by it): Chinese first, like the rest of the admin.
AUDITORS_GROUP = "审计员"


def ensure_auditors_group(sender, using="default", **kwargs):
    """The city's auditors: admin access and reading the audit log, nothing else. Made, never set up by hand."""
    from django.contrib.auth.models import Group, Permission

    perms = Permission.objects.using(using).filter(
        content_type__app_label__in=["audit", "wagtailadmin"], codename__in=["view_auditentry", "access_admin"]
    )
    group, _created = Group.objects.using(using).get_or_create(name=AUDITORS_GROUP)
    group.permissions.add(*perms)


class AuditConfig(AppConfig):
    name = "portal.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self):
        post_migrate.connect(ensure_auditors_group, sender=self)
