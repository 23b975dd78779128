from django.test import Client
from wagtail.coreutils import get_dummy_request
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

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
            instance=PollPage(
                title="满意度调查", slug="survey", closes_at=timezone.now() + timedelta(days=3), questions=QUESTIONS
            )
        )

    def setUp(self):
        # The pages live on a1's own host: resolve and request them there.
        site = self.city["a1"].site
        self.dummy_request = get_dummy_request(site=site)
        self.client = Client(HTTP_HOST=site.hostname)
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
        question = {
            "key": "q1",
            "text": "您的意见",
            "help": "",
            "required": "on",
            "show_if_key": "",
            "show_if_values": "",
            "max_length": 100,
        }
        post_data = nested_form_data(
            {
                "title": "满意度调查",
                "slug": "survey",
                "description": rich_text(""),
                "opens_at": "2026-01-01 09:00",
                "closes_at": "2030-01-01 09:00",
                "audience": "logged_in",
                "results_visibility": "live",
                "questions": streamfield([("short_text", question)]),
            }
        )
        self.assertPageIsEditable(self.poll, post_data=post_data)
        self.assertPageIsPreviewable(self.poll, post_data=post_data)
