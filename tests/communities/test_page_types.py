"""Every page type: routable, renderable, editable, previewable, and the page-tree rules."""

from django.test import Client
from wagtail.coreutils import get_dummy_request
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from communities.events.models import EventIndexPage, EventPage
from communities.news.models import NewsArticlePage, NewsIndexPage
from communities.notices.models import NoticeIndexPage, NoticePage
from communities.organisations.models import OrganisationIndexPage
from communities.pages.models import CityHomePage, CommunityHomePage, DistrictPage, StreetPage
from communities.regions.demo import fill_community
from communities.services.models import ServiceDirectoryPage, ServicePage
from participation.forums.models import ForumPage
from participation.governance.models import ConventionPage, MinutesIndexPage
from participation.polls.models import PollIndexPage
from tests.conftest import build_city

ALL_PAGE_TYPES = [
    CityHomePage,
    DistrictPage,
    StreetPage,
    CommunityHomePage,
    NoticeIndexPage,
    NoticePage,
    NewsIndexPage,
    NewsArticlePage,
    EventIndexPage,
    EventPage,
    ServiceDirectoryPage,
    ServicePage,
]
SECTIONS = [NoticeIndexPage, NewsIndexPage, EventIndexPage, ServiceDirectoryPage]
LEAVES = {NoticeIndexPage: NoticePage, NewsIndexPage: NewsArticlePage, EventIndexPage: EventPage}
LEAVES[ServiceDirectoryPage] = ServicePage


class PageTypeTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.communities = build_city()
        fill_community(cls.communities["a1"])
        home = cls.communities["a1"].root_page
        cls.pages = {}
        for page_type in ALL_PAGE_TYPES:
            found = page_type.objects.live()
            if page_type not in (CityHomePage, DistrictPage, StreetPage):
                found = found.descendant_of(home, inclusive=True)
            cls.pages[page_type] = found.first()

    def on_its_host(self, page):
        """The test client speaks to the host of the site the page belongs to."""
        site = page.get_site()
        self.client = Client(HTTP_HOST=site.hostname)
        self.dummy_request = get_dummy_request(site=site)
        return page

    def test_there_is_a_page_of_every_type(self):
        missing = [t.__name__ for t, page in self.pages.items() if page is None]
        assert missing == []

    def test_every_page_type_is_routable(self):
        for page_type, page in self.pages.items():
            with self.subTest(page_type.__name__):
                self.assertPageIsRoutable(self.on_its_host(page))

    def test_every_page_type_is_renderable(self):
        for page_type, page in self.pages.items():
            with self.subTest(page_type.__name__):
                self.assertPageIsRenderable(self.on_its_host(page))

    def test_every_page_renders_its_title_on_its_host(self):
        for page_type, page in self.pages.items():
            with self.subTest(page_type.__name__):
                self.on_its_host(page)
                response = self.client.get(page.relative_url(page.get_site()))
                assert response.status_code == 200
                assert page.title in response.content.decode()

    def test_every_page_type_is_editable(self):
        for page_type, page in self.pages.items():
            with self.subTest(page_type.__name__):
                self.assertPageIsEditable(page)

    def test_every_page_type_is_previewable(self):
        for page_type, page in self.pages.items():
            with self.subTest(page_type.__name__):
                self.assertPageIsPreviewable(page)

    def test_routable_subpaths(self):
        home = self.on_its_host(self.pages[CommunityHomePage])
        self.assertPageIsRoutable(home, "tags/")
        self.assertPageIsRoutable(home, "tags/老年人/")
        self.assertPageIsRenderable(home, "tags/老年人/")
        self.assertPageIsRoutable(self.on_its_host(self.pages[EventPage]), "signup/")
        self.assertPageIsRenderable(home, "tags/")
        self.assertPageIsRenderable(home, "tags/no-such-tag/", accept_404=True)


class PageTreeRuleTests(WagtailPageTestCase):
    def test_city_home_only_at_the_root(self):
        self.assertAllowedParentPageTypes(CityHomePage, {Page})
        self.assertAllowedSubpageTypes(CityHomePage, {DistrictPage})

    def test_region_pages_nest_city_district_street_community(self):
        self.assertAllowedParentPageTypes(DistrictPage, {CityHomePage})
        self.assertAllowedSubpageTypes(DistrictPage, {StreetPage})
        self.assertAllowedParentPageTypes(StreetPage, {DistrictPage})
        self.assertAllowedSubpageTypes(StreetPage, {CommunityHomePage})
        self.assertAllowedParentPageTypes(CommunityHomePage, {StreetPage})
        # The foundation's sections, plus the sections other apps add under a community home
        # (polls, organisations, the forum, and self-governance's convention and minutes).
        self.assertAllowedSubpageTypes(
            CommunityHomePage,
            set(SECTIONS) | {PollIndexPage, OrganisationIndexPage, ForumPage, ConventionPage, MinutesIndexPage},
        )

    def test_sections_hold_only_their_own_items(self):
        for section, leaf in LEAVES.items():
            with self.subTest(section.__name__):
                self.assertAllowedParentPageTypes(section, {CommunityHomePage})
                self.assertAllowedSubpageTypes(section, {leaf})
                self.assertAllowedParentPageTypes(leaf, {section})
                self.assertAllowedSubpageTypes(leaf, set())

    def test_can_create_where_the_tree_allows(self):
        self.assertCanCreateAt(Page, CityHomePage)
        self.assertCanCreateAt(CityHomePage, DistrictPage)
        self.assertCanCreateAt(DistrictPage, StreetPage)
        self.assertCanCreateAt(StreetPage, CommunityHomePage)
        for section, leaf in LEAVES.items():
            self.assertCanCreateAt(CommunityHomePage, section)
            self.assertCanCreateAt(section, leaf)

    def test_can_not_create_where_the_tree_forbids(self):
        self.assertCanNotCreateAt(CityHomePage, StreetPage)
        self.assertCanNotCreateAt(CityHomePage, CommunityHomePage)
        self.assertCanNotCreateAt(DistrictPage, CommunityHomePage)
        self.assertCanNotCreateAt(StreetPage, NoticePage)
        self.assertCanNotCreateAt(CommunityHomePage, NoticePage)
        self.assertCanNotCreateAt(CommunityHomePage, CommunityHomePage)
        self.assertCanNotCreateAt(NoticeIndexPage, NewsArticlePage)
        self.assertCanNotCreateAt(NewsIndexPage, EventPage)
        self.assertCanNotCreateAt(EventIndexPage, ServicePage)
        self.assertCanNotCreateAt(ServiceDirectoryPage, NoticePage)
        for leaf in LEAVES.values():
            for other in ALL_PAGE_TYPES:
                self.assertCanNotCreateAt(leaf, other)
        for page_type in ALL_PAGE_TYPES:
            if page_type is not CityHomePage:
                self.assertCanNotCreateAt(Page, page_type)


class InstanceLimitTests(WagtailPageTestCase):
    """max_count and max_count_per_parent, checked on real pages."""

    @classmethod
    def setUpTestData(cls):
        cls.communities = build_city()

    def test_only_one_city_home(self):
        assert not CityHomePage.can_create_at(Page.get_first_root_node())

    def test_one_section_of_each_kind_per_community(self):
        home = self.communities["a1"].root_page.specific
        for section in SECTIONS:
            with self.subTest(section.__name__):
                assert not section.can_create_at(home)

    def test_admin_add_view_refuses_a_second_section(self):
        self.login()
        home = self.communities["a1"].root_page
        before = NoticeIndexPage.objects.count()
        response = self.client.post(
            f"/admin/pages/add/community_notices/noticeindexpage/{home.pk}/",
            {"title": "第二个通知栏目", "slug": "notices-2", "action-publish": "publish"},
        )
        assert response.status_code == 302
        assert response["Location"] == "/admin/"  # Wagtail's answer to PermissionDenied
        assert NoticeIndexPage.objects.count() == before
