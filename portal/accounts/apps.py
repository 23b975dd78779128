from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    default = True  # this module also holds PortalUsersAppConfig: without it Django would use a bare AppConfig
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import checks, erasure_sources, signals  # noqa: F401  (registers checks, handlers, erasure)
        from .permissions import grant_rules_to_workers

        post_migrate.connect(grant_rules_to_workers, sender=self)
        from . import insights

        insights.register()  # decision-support figures (portal.insights registry)


class PortalUsersAppConfig(WagtailUsersAppConfig):
    """`wagtail.users` (INSTALLED_APPS names this instead) with the portal's user viewset: its group filter
    does not grow with the number of communities (`admin_users.py`)."""

    user_viewset = "portal.accounts.admin_users.PortalUserViewSet"
