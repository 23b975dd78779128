from django.utils.translation import gettext_lazy as _

from communities.pages.search import PageIndexer
from portal.search import registry

from .models import NoticePage


class NoticeIndexer(PageIndexer):
    kind = "notice"
    label = _("Notice")
    model = NoticePage
    text_fields = ("summary", "body", "issuer")

    def window(self, page):
        # An expired or not-yet-valid notice is not found, without a re-index when it expires.
        until = min((t for t in (page.valid_until, page.expire_at) if t), default=None)
        return page.valid_from, until


registry.register(NoticeIndexer())
