from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class MicroblogConfig(AppConfig):
    name = "participation.microblog"
    label = "microblog"
    verbose_name = _("Community microblog")

    def ready(self):
        from participation.moderation.registry import register
        from portal.accounts import actions

        from . import privacy, search  # noqa: F401  (erasure, the search index)
        from .models import MicroComment, MicroPost

        register(MicroPost)
        register(MicroComment)
        post_save.connect(follow_the_street, sender="regions.Community", dispatch_uid="microblog_follow_the_street")
        actions.register(
            "microblog.post", _("post on the community microblog"), actions.Requirement.VERIFIED, content=True
        )
        actions.register(
            "microblog.comment", _("comment on the community microblog"), actions.Requirement.VERIFIED, content=True
        )
        actions.register("microblog.like", _("like microblog posts"), actions.Requirement.MEMBER)
        actions.register("microblog.report", _("report microblog posts"), actions.Requirement.ACCOUNT)


def follow_the_street(sender, instance, **kwargs):
    """A community moved to another street: its posts' copy of the street (the street feed's index) follows."""
    from .models import MicroPost

    MicroPost.objects.filter(community=instance).exclude(street_id=instance.street_id).update(
        street_id=instance.street_id
    )
