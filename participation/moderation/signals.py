from django.contrib.auth.models import Permission
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from communities.regions.models import Community

from .models import SensitiveWord
from .screening import words_changed


@receiver([post_save, post_delete], sender=SensitiveWord)
def sensitive_words_changed(**kwargs):
    words_changed()


def grant_moderation(community) -> None:
    """The community's moderators group may use the moderation screens (scoped to their community)."""
    permission = Permission.objects.filter(content_type__app_label="moderation", codename="moderate").first()
    if permission is not None:
        community.moderators_group.permissions.add(permission)


def grant_moderation_to_all(**kwargs):
    """After migrate (when the permission exists): every community's moderators may moderate."""
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


@receiver(post_save, sender=Community)
def community_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        grant_moderation(instance)
