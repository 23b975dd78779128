from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "communities.regions"
    label = "regions"
    verbose_name = _("Communities and regions")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import api, search

        search.connect()
        api.connect()
        post_migrate.connect(search.grant_term_permissions, sender=self)
