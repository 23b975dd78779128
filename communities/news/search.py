from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.pages.search import PageIndexer
from portal.search import registry

from .models import NewsArticlePage


class NewsIndexer(PageIndexer):
    kind = "news"
    label = _("News")
    model = NewsArticlePage
    text_fields = ("intro", "body")

    def date(self, page):
        return timezone.make_aware(datetime.combine(page.date, time(12))) if page.date else super().date(page)


registry.register(NewsIndexer())
