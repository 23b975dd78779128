from django.utils.translation import gettext_lazy as _

from communities.pages.search import PageIndexer
from portal.search import registry

from .models import ServicePage


class ServiceIndexer(PageIndexer):
    kind = "service"
    label = _("Service")
    model = ServicePage
    text_fields = ("summary", "provider", "materials", "office_hours", "place", "fee", "body")


registry.register(ServiceIndexer())
