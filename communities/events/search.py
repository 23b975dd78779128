from django.utils.translation import gettext_lazy as _

from communities.pages.search import PageIndexer
from portal.search import registry

from .models import EventPage


class EventIndexer(PageIndexer):
    kind = "event"
    label = _("Event")
    model = EventPage
    text_fields = ("summary", "body", "place", "organiser")

    def date(self, page):
        return page.start


registry.register(EventIndexer())
