"""The public pages: every page type passes Wagtail's four checks; lists, finances and history render."""

from datetime import date
from decimal import Decimal

from django.test import Client
from django.utils import translation
from wagtail.coreutils import get_dummy_request
from wagtail.test.utils import WagtailPageTestCase

from communities.organisations.models import OrganisationIndexPage, ProjectUpdate
from tests.conftest import build_city

from .conftest import make_organisation, make_project, report


class OrganisationPageTypesTest(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        with translation.override("en"):
            cls.city = build_city()
            cls.index = OrganisationIndexPage.objects.child_of(cls.city["a1"].root_page).get()
            cls.org = make_organisation(cls.city["a1"], 1, title="翠园为老服务中心")
            cls.project = make_project(cls.org)

    def setUp(self):
        super().setUp()
        # Nested Sites: build URLs on the community's own host, where its pages are routed from.
        self.dummy_request = get_dummy_request(site=self.city["a1"].site)
        self.client = Client(HTTP_HOST="a1.localhost")

    def test_index_page(self):
        self.assertPageIsRoutable(self.index)
        self.assertPageIsRenderable(self.index)
        self.assertPageIsEditable(self.index)
        self.assertPageIsPreviewable(self.index)

    def test_organisation_page(self):
        self.assertPageIsRoutable(self.org)
        self.assertPageIsRoutable(self.org, "finances/")
        self.assertPageIsRoutable(self.org, "history/")
        self.assertPageIsRenderable(self.org)
        self.assertPageIsRenderable(self.org, "finances/")
        self.assertPageIsEditable(self.org)
        self.assertPageIsPreviewable(self.org)

    def test_project_page(self):
        self.assertPageIsRoutable(self.project)
        self.assertPageIsRenderable(self.project)
        self.assertPageIsEditable(self.project)
        self.assertPageIsPreviewable(self.project)

    def test_can_create_only_in_the_tree(self):
        from communities.organisations.models import OrganisationPage, ProjectPage
        from communities.pages.models import CommunityHomePage, StreetPage

        self.assertCanCreateAt(CommunityHomePage, OrganisationIndexPage)
        self.assertCanNotCreateAt(StreetPage, OrganisationIndexPage)
        self.assertCanCreateAt(OrganisationIndexPage, OrganisationPage)
        self.assertCanCreateAt(OrganisationPage, ProjectPage)
        self.assertCanNotCreateAt(CommunityHomePage, OrganisationPage)


def test_community_lists_its_organisations_and_those_serving_it(city, host_client):
    own = make_organisation(city["a1"], 1, title="翠园为老服务中心")
    visiting = make_organisation(city["c1"], 2, title="丙街道助残服务社")
    visiting.communities.add(city["a1"])
    visiting.save_revision().publish()
    elsewhere = make_organisation(city["c1"], 3, title="丙社区合唱团")
    make_organisation(city["a1"], 4, title="未发布的组织", publish=False)
    page = host_client("a1.localhost").get("/organisations/").content.decode()
    assert own.title in page and visiting.title in page
    assert elsewhere.title not in page and "未发布的组织" not in page


def test_finances_show_charts_with_tables_beside_them(city, host_client):
    org = make_organisation(city["a1"])
    for year, donations in [(2024, "8000.00"), (2025, "12000.00")]:
        r = report(year, donations_unrestricted=Decimal(donations), fundraising=Decimal("200.00"))
        r.page = org
        r.save()
    project = make_project(org, budget=Decimal("40000.00"), actual_spending=Decimal("10000.00"))
    ProjectUpdate.objects.create(page=project, period_end=date(2025, 3, 31), summary="开展助餐服务60次")
    page = host_client("a1.localhost").get(org.url + "finances/").content.decode()
    assert page.count('class="data-table"') == 3
    assert page.count('aria-hidden="true"') >= 3  # the bars are decoration; the tables carry the numbers
    assert "12000.00" in page and "8000.00" in page
    assert "<script" not in page
    # expense split of 2025: programme 800, fundraising 200 of 1000
    assert 'style="width: 80.0%"' in page and 'style="width: 20.0%"' in page
    assert "25.0%" in page  # 10000 of a 40000 budget used
    assert "开展助餐服务60次" in host_client("a1.localhost").get(project.url).content.decode()


def test_history_shows_every_published_version_and_never_a_draft(city, host_client):
    org = make_organisation(city["a1"], purpose="旧的宗旨")
    first = org.live_revision_id
    org.purpose, org.change_note = "更正后的宗旨", "更正宗旨中的错别字"
    org.save_revision().publish()
    org.purpose, org.change_note = "尚未审核的宗旨", "草稿"
    draft = org.save_revision()
    client = host_client("a1.localhost")
    history = client.get(org.url + "history/").content.decode()
    assert "更正宗旨中的错别字" in history and "草稿" not in history
    old = client.get(org.url + f"history/{first}/").content.decode()
    assert "旧的宗旨" in old and 'class="historic-banner"' in old
    assert client.get(org.url + f"history/{draft.pk}/").status_code == 404
    assert client.get(org.url + "history/999999/").status_code == 404
    assert "尚未审核的宗旨" not in client.get(org.url).content.decode()


def test_profile_is_served_to_visitors_from_cache_and_refreshed_on_publish(city, settings):
    org = make_organisation(city["a1"], title="缓存测试组织")
    client = Client(HTTP_HOST="a1.localhost")
    assert client.get(org.url).status_code == 200
    org.legal_representative, org.change_note = "李华", "法定代表人变更"
    org.save_revision().publish()
    assert "李华" in client.get(org.url).content.decode()
