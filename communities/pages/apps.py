from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "communities.pages"
    label = "community_pages"
    verbose_name = _("Portal and community home pages")

    def ready(self):
        from . import api, search

        search.connect()
        api.connect()
