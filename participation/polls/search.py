from django.utils.translation import gettext_lazy as _

from communities.pages.search import PageIndexer, plain
from portal.search import registry

from .models import PollPage


class PollIndexer(PageIndexer):
    kind = "poll"
    label = _("Poll")
    model = PollPage
    text_fields = ("description",)

    def text(self, page):
        questions = " ".join(q.text for q in page.question_list)
        return super().text(page) + "\n" + plain(questions)

    def date(self, page):
        return page.opens_at


registry.register(PollIndexer())
