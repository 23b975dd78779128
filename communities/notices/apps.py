from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "communities.notices"
    label = "community_notices"
    verbose_name = _("Notices")

    def ready(self):
        from . import search  # noqa: F401  (registers the search indexers)
