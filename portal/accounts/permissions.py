"""The model permissions of community workers come from one settings list, PORTAL_EDITOR_PERMISSIONS,
which community provisioning grants to each community's editors group."""

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db.models import Q


def grant_worker_permissions(group) -> None:
    """Give a group the worker rights; what they reach is still scoped to their communities."""
    query = Q(pk__in=[])
    for name in settings.PORTAL_EDITOR_PERMISSIONS:
        app_label, codename = name.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.add(*Permission.objects.filter(query))
