from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "portal_core"
    verbose_name = _("Portal core")

    def ready(self):
        from . import checks, signals  # noqa: F401  (registers checks and signal handlers)
