from wagtail.test.utils import WagtailPageTestCase

from communities.pages.models import CommunityHomePage
from participation.polls.models import PollIndexPage, PollPage
from tests.conftest import build_city

from .conftest import QUESTIONS


class PollPageTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.city = build_city()
        home = cls.city["a1"].root_page.specific
        cls.index = home.get_children().type(PollIndexPage).first().specific
        from datetime import timedelta

        from django.utils import timezone

        cls.poll = cls.index.add_child(
            instance=PollPage(title="满意度调查", slug="survey", closes_at=timezone.now() + timedelta(days=3),
                              questions=QUESTIONS)
        )

    def setUp(self):
        self.login()

    def test_creation_rules(self):
        self.assertCanCreateAt(CommunityHomePage, PollIndexPage)
        self.assertCanCreateAt(PollIndexPage, PollPage)
        self.assertCanNotCreateAt(CommunityHomePage, PollPage)

    def test_index_page(self):
        self.assertPageIsRoutable(self.index)
        self.assertPageIsRenderable(self.index)
        self.assertPageIsEditable(self.index)
        self.assertPageIsPreviewable(self.index)

    def test_poll_page(self):
        self.assertPageIsRoutable(self.poll)
        self.assertPageIsRenderable(self.poll)
        self.assertPageIsEditable(self.poll)
        self.assertPageIsPreviewable(self.poll)
