from django.apps import AppConfig
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
        actions.register(
            "microblog.post", _("post on the community microblog"), actions.Requirement.VERIFIED, content=True
        )
        actions.register(
            "microblog.comment", _("comment on the community microblog"), actions.Requirement.VERIFIED, content=True
        )
        actions.register("microblog.like", _("like microblog posts"), actions.Requirement.MEMBER)
        actions.register("microblog.report", _("report microblog posts"), actions.Requirement.ACCOUNT)
