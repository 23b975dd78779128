from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import checks, erasure_sources, signals  # noqa: F401  (registers checks, handlers, erasure)
        from .permissions import grant_rules_to_workers

        post_migrate.connect(grant_rules_to_workers, sender=self)
