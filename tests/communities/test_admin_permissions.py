"""Permission isolation through the real Wagtail admin: real GETs and form posts, real groups.

The groups are those the provisioning code makes: community.editors_group and region.editors_group.
"""

from django.contrib.auth import get_user_model
from django.test import Client, TestCase
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, querydict_from_html, rich_text

from communities.notices.models import NoticeIndexPage, NoticePage
from communities.regions.models import Region
from communities.regions.scoping import communities_for
from tests.conftest import build_city

from .helpers import add_notice, section


def notice_form(title, body="<p>改过的内容</p>", publish=False, slug=None):
    data = nested_form_data(
        {
            "title": title,
            "slug": slug or "changed",
            "body": rich_text(body),
            "comments": inline_formset([]),
        }
    )
    if publish:
        data["action-publish"] = "action-publish"
    return data


class AdminIsolationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.c = build_city(communities_per_street=2)  # a1 a2 on street-a, b1 b2 on street-b, c1 c2 on street-c
        User = get_user_model()
        cls.editor_a = User.objects.create_user("editor_a", password="x")
        cls.editor_a.groups.add(cls.c["a1"].editors_group)
        cls.street_editor = User.objects.create_user("street_a_editor", password="x")
        cls.street_editor.groups.add(Region.objects.get(slug="street-a").editors_group)
        cls.moderator_a = User.objects.create_user("moderator_a", password="x")
        cls.moderator_a.groups.add(cls.c["a1"].moderators_group)
        cls.pages = {}
        for slug in ("a1", "a2", "b1"):
            cls.pages[f"{slug}-live"] = add_notice(cls.c[slug], f"{slug}已发布通知", slug=f"{slug}-live")
            cls.pages[f"{slug}-draft"] = add_notice(
                cls.c[slug], f"{slug}未发布草稿 draftnotice", slug=f"{slug}-draft", live=False
            )

    def admin(self, user):
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        return client

    def assert_denied(self, response):
        """Wagtail answers PermissionDenied in the admin with a redirect to the dashboard (or a 403)."""
        assert response.status_code in (302, 403), response.status_code
        if response.status_code == 302:
            assert response["Location"] == "/admin/", response["Location"]

    # --- a community editor -------------------------------------------------------------------

    def test_editor_edits_and_publishes_in_own_community(self):
        client = self.admin(self.editor_a)
        page = self.pages["a1-draft"]
        url = f"/admin/pages/{page.pk}/edit/"
        form = client.get(url)
        assert form.status_code == 200
        data = querydict_from_html(form.content.decode(), form_id="page-edit-form")
        data["title"] = "甲社区改过的通知"
        data["action-publish"] = "action-publish"
        response = client.post(url, data)
        assert response.status_code == 302
        page.refresh_from_db()
        assert page.title == "甲社区改过的通知" and page.live

    def test_editor_creates_a_page_in_own_community_through_the_add_form(self):
        parent = section(self.c["a1"], NoticeIndexPage)
        response = self.admin(self.editor_a).post(
            f"/admin/pages/add/community_notices/noticepage/{parent.pk}/",
            notice_form("甲社区新通知", slug="new-notice", publish=True),
        )
        assert response.status_code == 302
        created = NoticePage.objects.get(title="甲社区新通知")
        assert created.live and created.get_parent().pk == parent.pk

    def test_editor_cannot_open_or_post_the_edit_form_of_another_community(self):
        client = self.admin(self.editor_a)
        for key in ("b1-live", "b1-draft", "a2-live"):
            page = self.pages[key]
            url = f"/admin/pages/{page.pk}/edit/"
            self.assert_denied(client.get(url))
            self.assert_denied(client.post(url, notice_form("被篡改", publish=True, slug=page.slug)))
            fresh = NoticePage.objects.get(pk=page.pk)
            assert fresh.title == page.title
            assert fresh.live == page.live
            assert fresh.get_latest_revision().pk == page.get_latest_revision().pk

    def test_editor_cannot_publish_unpublish_or_delete_in_another_community(self):
        client = self.admin(self.editor_a)
        draft, live = self.pages["b1-draft"], self.pages["b1-live"]
        self.assert_denied(client.post(f"/admin/pages/{live.pk}/unpublish/"))
        self.assert_denied(client.post(f"/admin/pages/{live.pk}/delete/"))
        self.assert_denied(client.post(f"/admin/pages/{draft.pk}/revisions/{draft.latest_revision_id}/revert/"))
        assert NoticePage.objects.get(pk=live.pk).live
        assert not NoticePage.objects.get(pk=draft.pk).live

    def test_editor_cannot_add_pages_under_another_community(self):
        parent = section(self.c["b1"], NoticeIndexPage)
        response = self.admin(self.editor_a).post(
            f"/admin/pages/add/community_notices/noticepage/{parent.pk}/",
            notice_form("闯入的通知", slug="intruder", publish=True),
        )
        self.assert_denied(response)
        assert not NoticePage.objects.filter(title="闯入的通知").exists()

    def test_editor_cannot_preview_another_communitys_draft(self):
        client = self.admin(self.editor_a)
        draft = self.pages["b1-draft"]
        self.assert_denied(client.get(f"/admin/pages/{draft.pk}/view_draft/"))
        preview = client.post(f"/admin/pages/{draft.pk}/edit/preview/", notice_form("预览"))
        self.assert_denied(preview)
        self.assert_denied(client.get(f"/admin/pages/{draft.pk}/edit/preview/"))
        self.assert_denied(client.get(f"/admin/pages/{draft.pk}/revisions/{draft.latest_revision_id}/view/"))

    def test_editor_can_preview_own_draft(self):
        draft = self.pages["a1-draft"]
        response = self.admin(self.editor_a).get(f"/admin/pages/{draft.pk}/view_draft/")
        assert response.status_code == 200
        assert "a1未发布草稿" in response.content.decode()

    def test_explorer_shows_only_own_community_below_the_street(self):
        client = self.admin(self.editor_a)
        own = client.get(f"/admin/pages/{section(self.c['a1'], NoticeIndexPage).pk}/")
        assert own.status_code == 200
        assert "a1未发布草稿" in own.content.decode()
        # Above its own subtree the explorer takes the editor back to the community home.
        street = client.get(f"/admin/pages/{self.c['a1'].root_page.get_parent().pk}/")
        assert street.status_code == 302
        assert street["Location"] == f"/admin/pages/{self.c['a1'].root_page_id}/"
        home = client.get(street["Location"]).content.decode()
        assert f"/admin/pages/{section(self.c['a1'], NoticeIndexPage).pk}/" in home
        for other in ("a2", "b1"):  # (the site filter names every site; the rows must not)
            assert f"/admin/pages/{self.c[other].root_page_id}/" not in home
            assert f"/admin/pages/{section(self.c[other], NoticeIndexPage).pk}/" not in home
        own_home = f"/admin/pages/{self.c['a1'].root_page_id}/"
        for community in ("b1", "a2"):
            for page_id in (section(self.c[community], NoticeIndexPage).pk, self.c[community].root_page_id):
                listing = client.get(f"/admin/pages/{page_id}/")
                assert listing.status_code == 302 and listing["Location"] == own_home

    def test_admin_search_finds_nothing_of_another_community(self):
        client = self.admin(self.editor_a)
        body = client.get("/admin/pages/search/", {"q": "draftnotice"}).content.decode()
        assert "a1未发布草稿" in body
        assert "b1未发布草稿" not in body and "a2未发布草稿" not in body
        body = client.get("/admin/pages/search/", {"q": "已发布通知"}).content.decode()
        assert "b1已发布通知" not in body and "a2已发布通知" not in body

    def test_moderators_group_has_no_page_rights(self):
        client = self.admin(self.moderator_a)
        assert client.get("/admin/").status_code == 200
        self.assert_denied(client.get(f"/admin/pages/{self.pages['a1-draft'].pk}/edit/"))

    def test_a_user_without_a_group_cannot_enter_the_admin(self):
        nobody = get_user_model().objects.create_user("nobody", password="x")
        response = self.admin(nobody).get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]

    # --- a street editor ----------------------------------------------------------------------

    def test_street_editor_edits_every_community_of_its_street(self):
        client = self.admin(self.street_editor)
        for key in ("a1-draft", "a2-draft", "a1-live", "a2-live"):
            page = self.pages[key]
            url = f"/admin/pages/{page.pk}/edit/"
            form = client.get(url)
            assert form.status_code == 200, key
            data = querydict_from_html(form.content.decode(), form_id="page-edit-form")
            data["title"] = f"街道改过{key}"
            data["action-publish"] = "action-publish"
            assert client.post(url, data).status_code == 302, key
            fresh = NoticePage.objects.get(pk=page.pk)
            assert fresh.title == f"街道改过{key}" and fresh.live, key

    def test_street_editor_edits_the_community_home_pages_of_its_street(self):
        client = self.admin(self.street_editor)
        for slug in ("a1", "a2"):
            assert client.get(f"/admin/pages/{self.c[slug].root_page_id}/edit/").status_code == 200

    def test_street_editor_touches_nothing_of_another_street(self):
        client = self.admin(self.street_editor)
        for key in ("b1-live", "b1-draft"):
            page = self.pages[key]
            url = f"/admin/pages/{page.pk}/edit/"
            self.assert_denied(client.get(url))
            self.assert_denied(client.post(url, notice_form("被篡改", publish=True, slug=page.slug)))
            assert NoticePage.objects.get(pk=page.pk).title == page.title
        self.assert_denied(client.get(f"/admin/pages/{self.pages['b1-draft'].pk}/view_draft/"))
        self.assert_denied(client.get(f"/admin/pages/{self.c['b1'].root_page_id}/edit/"))
        body = client.get("/admin/pages/search/", {"q": "draftnotice"}).content.decode()
        assert "a1未发布草稿" in body and "a2未发布草稿" in body and "b1未发布草稿" not in body

    def test_street_editor_cannot_touch_the_district_or_city_pages(self):
        client = self.admin(self.street_editor)
        street_page = self.c["a1"].root_page.get_parent()
        for page in (street_page.get_parent(), Page.objects.get(depth=2)):
            self.assert_denied(client.get(f"/admin/pages/{page.pk}/edit/"))

    # --- the scoping function agrees with the admin -------------------------------------------

    def test_scoping_function_matches_the_groups(self):
        assert set(communities_for(self.editor_a).values_list("slug", flat=True)) == {"a1"}
        assert set(communities_for(self.moderator_a).values_list("slug", flat=True)) == {"a1"}
        assert set(communities_for(self.street_editor).values_list("slug", flat=True)) == {"a1", "a2"}
        district_editor = get_user_model().objects.create_user("district_east", password="x")
        district_editor.groups.add(Region.objects.get(slug="east").editors_group)
        assert set(communities_for(district_editor).values_list("slug", flat=True)) == {"a1", "a2", "b1", "b2"}


def test_editors_see_and_edit_only_their_own_collection(city, make_user, settings, tmp_path):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    settings.MEDIA_ROOT = tmp_path
    docs = {
        slug: Document.objects.create(
            title=f"{slug}居民公约", file=ContentFile(b"%PDF-1.4", name=f"{slug}.pdf"), collection=city[slug].collection
        )
        for slug in ("a1", "b1")
    }
    editor = make_user("doc_editor_a")
    editor.groups.add(city["a1"].editors_group)
    client = Client(HTTP_HOST="localhost")
    client.force_login(editor)
    listing = client.get("/admin/documents/")
    assert listing.status_code == 200
    assert "a1居民公约" in listing.content.decode() and "b1居民公约" not in listing.content.decode()
    assert client.get(f"/admin/documents/edit/{docs['a1'].pk}/").status_code == 200
    denied = client.get(f"/admin/documents/edit/{docs['b1'].pk}/")
    assert denied.status_code in (302, 403)
    client.post(f"/admin/documents/edit/{docs['b1'].pk}/", {"title": "被篡改", "collection": city["b1"].collection_id})
    assert Document.objects.get(pk=docs["b1"].pk).title == "b1居民公约"
