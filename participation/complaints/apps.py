from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "participation.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        from portal.accounts import actions

        actions.register("complaints.submit", _("make complaints"), actions.Requirement.ACCOUNT, content=True)
        from portal.api import registry

        from . import (  # noqa: F401
            api,
            checks,
            insights,
            mapping,
            notifications,
            open311_backend,
            privacy,
            search,  # noqa: F401  (registers the search indexers)
            wechat,
        )

        wechat.register()  # complaints by message, through portal.wechat's handler registry
        api.connect()
        insights.register()
        mapping.register()
        registry.register_open311(open311_backend.BACKEND)
