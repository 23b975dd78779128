"""The model permissions of community workers come from one settings list, PORTAL_EDITOR_PERMISSIONS,
which community provisioning grants to each community's editors group."""

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db.models import Q


def grant_rules_to_workers(**kwargs) -> None:
    """After migrate: worker groups made before participation rules existed (those that may change
    memberships) may set their community's rules too; new groups get it from PORTAL_EDITOR_PERMISSIONS."""
    from django.contrib.auth.models import Group

    rules = Permission.objects.filter(content_type__app_label="accounts", codename="change_actionrule").first()
    if rules is None:
        return
    workers = Group.objects.filter(
        permissions__content_type__app_label="accounts", permissions__codename="change_membership"
    ).values_list("pk", flat=True)
    through = Group.permissions.through
    through.objects.bulk_create([through(group_id=pk, permission_id=rules.pk) for pk in workers], ignore_conflicts=True)


def grant_worker_permissions(group) -> None:
    """Give a group the worker rights; what they reach is still scoped to their communities."""
    query = Q(pk__in=[])
    for name in settings.PORTAL_EDITOR_PERMISSIONS:
        app_label, codename = name.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.add(*Permission.objects.filter(query))
