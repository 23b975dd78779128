from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    name = "participation.forums"
    label = "forums"
    verbose_name = _("Community forums")

    def ready(self):
        from participation.moderation.registry import register

        from . import (  # noqa: F401
            privacy,
            search,  # noqa: F401  (registers the search indexers)
            signals,
        )
        from .models import Post, Thread

        register(Thread)
        register(Post)
