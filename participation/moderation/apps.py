from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "participation.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import privacy, signals  # noqa: F401  (privacy registers what erasure redacts)

        post_migrate.connect(signals.grant_moderation_to_all, sender=self)

        from portal.accounts import actions

        from .services import refuse_suspended

        actions.register_check(refuse_suspended)
