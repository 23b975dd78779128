from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from . import converters

# <id:pk> for every URLconf of the project, Wagtail hooks and routable pages included: registered while
# the app configs load, before any models, hooks or URLconf.
converters.register()


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "portal_core"
    verbose_name = _("Portal core")

    def ready(self):
        from . import checks, signals  # noqa: F401  (registers checks and signal handlers)
