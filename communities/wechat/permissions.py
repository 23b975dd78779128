from django.apps import apps


def grant_wechat_permissions(**kwargs):
    """After migrate: editors of communities provisioned before WeChat existed may manage their account
    and keyword replies (new communities get them from PORTAL_EDITOR_PERMISSIONS when provisioned)."""
    from django.conf import settings
    from django.contrib.auth.models import Group, Permission

    codenames = [name.split(".", 1)[1] for name in settings.PORTAL_EDITOR_PERMISSIONS if name.startswith("wechat.")]
    permissions = list(Permission.objects.filter(content_type__app_label="wechat", codename__in=codenames))
    if not permissions:
        return
    community = apps.get_model("regions", "Community")
    through = Group.permissions.through
    rows = [
        through(group_id=group_id, permission_id=permission.pk)
        for group_id in community.objects.values_list("editors_group_id", flat=True)
        for permission in permissions
    ]
    through.objects.bulk_create(rows, ignore_conflicts=True)
