from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationsConfig(AppConfig):
    name = "participation.deliberations"
    label = "deliberations"
    verbose_name = _("Sunshine deliberations")

    def ready(self):
        from . import (  # noqa: F401  (export and deletion of a resident's data; notifications)
            privacy,
            search,  # noqa: F401  (registers the search indexers)
            signals,
        )
