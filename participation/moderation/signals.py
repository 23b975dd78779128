from django.contrib.auth.models import Permission
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from communities.regions.models import Community

from .models import SensitiveWord
from .screening import words_changed


@receiver([post_save, post_delete], sender=SensitiveWord)
def sensitive_words_changed(**kwargs):
    words_changed()


def grant_moderation_to_all(**kwargs):
    """After migrate (when the permission exists): moderators of communities provisioned before
    PORTAL_MODERATOR_PERMISSIONS named "moderation.moderate" get it too. New ones get it when provisioned."""
    from django.contrib.auth.models import Group

    permission = Permission.objects.filter(content_type__app_label="moderation", codename="moderate").first()
    if permission is None:
        return
    through = Group.permissions.through
    through.objects.bulk_create(
        [
            through(group_id=group_id, permission_id=permission.pk)
            for group_id in Community.objects.values_list("moderators_group_id", flat=True)
        ],
        ignore_conflicts=True,
    )
