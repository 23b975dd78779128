from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "participation.governance"
    label = "governance"
    verbose_name = _("Self-governance")

    def ready(self):
        from portal.accounts import actions

        actions.register("governance.endorse", _("endorse the residents' convention"), actions.Requirement.VERIFIED)
