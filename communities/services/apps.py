from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "communities.services"
    label = "community_services"
    verbose_name = _("Service directory")

    def ready(self):
        from . import (
            insights,
            mapping,
            search,  # noqa: F401  (registers the search indexers)
        )

        insights.register()  # decision-support figures (portal.insights registry)
        mapping.register()  # its entries on the insights map
