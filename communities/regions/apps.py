from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "communities.regions"
    label = "regions"
    verbose_name = _("Communities and regions")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import api, mapping, search

        search.connect()
        api.connect()
        mapping.register()
        post_migrate.connect(search.grant_term_permissions, sender=self)
        from . import insights

        insights.register()  # decision-support figures (portal.insights registry)
