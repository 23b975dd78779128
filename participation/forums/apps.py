from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    name = "participation.forums"
    label = "forums"
    verbose_name = _("Community forums")

    def ready(self):
        from participation.moderation.registry import register
        from portal.accounts import actions

        from . import (  # noqa: F401
            privacy,
            search,  # noqa: F401  (registers the search indexers)
            signals,
        )
        from .models import Post, Thread

        register(Thread)
        register(Post)
        actions.register("forum.post", _("post in the forum"), actions.Requirement.MEMBER, content=True)
        actions.register("forum.like", _("like forum posts"), actions.Requirement.MEMBER)
        actions.register("forum.report", _("report forum posts"), actions.Requirement.ACCOUNT)
        from . import insights

        insights.register()  # decision-support figures (portal.insights registry)
