from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PollsConfig(AppConfig):
    name = "participation.polls"
    label = "polls"
    verbose_name = _("Polls and surveys")

    def ready(self):
        from portal.accounts import actions

        actions.register("polls.answer", _("answer polls"), actions.Requirement.ACCOUNT, content=True)
        from . import (
            api,
            privacy,  # noqa: F401  (export and deletion of a resident's data)
            search,  # noqa: F401  (registers the search indexers)
        )

        api.connect()
        from . import insights

        insights.register()  # decision-support figures (portal.insights registry)
