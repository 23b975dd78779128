from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "communities.organisations"
    label = "community_organisations"
    verbose_name = _("Social organisations")

    def ready(self):
        from portal.accounts import actions

        actions.register(
            "organisations.question", _("ask organisations questions"), actions.Requirement.MEMBER, content=True
        )
        from . import (  # noqa: F401
            api,
            privacy,  # noqa: F401  (what erasure redacts)
            search,  # noqa: F401  (registers the search indexers)
            signals,  # noqa: F401
        )

        api.connect()
        from . import insights, mapping

        insights.register()  # decision-support figures (portal.insights registry)
        mapping.register()  # their offices on the insights map
