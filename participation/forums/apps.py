from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    name = "participation.forums"
    label = "forums"
    verbose_name = _("Community forums")

    def ready(self):
        from participation.moderation.registry import register

        from . import privacy, signals  # noqa: F401
        from .models import Post, Thread

        register(Thread)
        register(Post)
