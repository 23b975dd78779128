from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "communities.news"
    label = "community_news"
    verbose_name = _("News")

    def ready(self):
        from . import search  # noqa: F401  (registers the search indexers)
