from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationsConfig(AppConfig):
    name = "participation.deliberations"
    label = "deliberations"
    verbose_name = _("Sunshine deliberations")

    def ready(self):
        from portal.accounts import actions

        Requirement = actions.Requirement
        actions.register("deliberations.comment", _("comment on deliberations"), Requirement.MEMBER, content=True)
        actions.register("deliberations.propose", _("propose deliberation topics"), Requirement.VERIFIED, content=True)
        actions.register("deliberations.cosign", _("co-sign proposals"), Requirement.VERIFIED)
        actions.register(
            "deliberations.vote", _("vote in deliberations"), Requirement.VERIFIED, choices=[Requirement.VERIFIED]
        )
        from . import (  # noqa: F401  (export and deletion of a resident's data; notifications)
            api,
            privacy,
            search,  # noqa: F401  (registers the search indexers)
            signals,
        )

        api.connect()
        from . import insights

        insights.register()  # decision-support figures (portal.insights registry)
