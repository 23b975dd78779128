from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "communities.events"
    label = "community_events"
    verbose_name = _("Events")

    def ready(self):
        from portal.accounts import actions

        from . import search, signals  # noqa: F401  (registers the search indexers and the signal receivers)

        actions.register("events.signup", _("sign up for events"), actions.Requirement.MEMBER)
