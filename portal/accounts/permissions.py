"""The permissions a community worker needs for residents' memberships, for provisioning to grant."""

from django.contrib.auth.models import Permission

WORKER_PERMISSIONS = [
    "view_membership",
    "change_membership",
    "reveal_personal_data",
    "view_home",
    "change_home",
    "view_building",
    "add_building",
    "change_building",
]


def grant_worker_permissions(group) -> None:
    """Give a community's editors group the worker rights; what they reach is still scoped to their communities."""
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="accounts", codename__in=WORKER_PERMISSIONS)
    )
