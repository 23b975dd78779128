"""Provisioning through the management commands: idempotent, all-or-nothing, clear about bad input."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import translation
from wagtail.documents.models import Document
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page, Site

from communities.regions import provisioning
from communities.regions.models import Community, CommunitySettings, Region
from tests.conftest import SEED_DEMO_COMMAND, seed_demo_command_once

from .helpers import add_notice


@pytest.fixture(autouse=True)
def english_messages():
    """The commands answer in the active language (Chinese by default); these tests read English."""
    with translation.override("en"):
        yield


COUNTED = [Site, Page, Collection, Group, GroupPagePermission, GroupCollectionPermission, Community, Region]
COUNTED.append(CommunitySettings)


def counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def make_city_by_commands():
    run("create_region", kind="city", name="命令市", slug="city")
    run("create_region", kind="district", name="东区", slug="east", parent="city")
    run("create_region", kind="street", name="甲街道", slug="street-a", parent="east")


@pytest.fixture
def streets(db):
    make_city_by_commands()


def create(slug="a1", name="甲一社区", street="street-a", **extra):
    return run("create_community", street=street, name=name, slug=slug, **extra)


def fails_with(message_part, *args, **options):
    before = counts()
    with pytest.raises(CommandError) as caught:
        run(*args, **options)
    assert message_part in str(caught.value), str(caught.value)
    assert counts() == before, "a failed command changed something"
    return str(caught.value)


# --- creating ---------------------------------------------------------------------------------


def test_create_community_makes_everything_it_needs(streets):
    out = create()
    assert "created" in out
    community = Community.objects.get(slug="a1")
    street = Region.objects.get(slug="street-a")
    assert community.site.hostname == "a1.localhost" and community.site.root_page_id == community.root_page_id
    assert community.root_page.get_parent().pk == street.page_id
    assert [p.slug for p in community.root_page.get_children()] == [
        "notices",
        "news",
        "events",
        "services",
        "polls",
        "organisations",
        "forum",  # participation.forums adds its navigation entry when a community is created
    ]
    assert community.collection.get_parent().pk == street.collection_id
    assert CommunitySettings.objects.get(site=community.site).display_name == "甲一社区"
    page_perms = GroupPagePermission.objects.filter(group=community.editors_group)
    assert {p.page_id for p in page_perms} == {community.root_page_id}
    assert {p.permission.codename for p in page_perms} >= {"add_page", "change_page", "publish_page"}
    collection_perms = GroupCollectionPermission.objects.filter(group=community.editors_group)
    assert {p.collection_id for p in collection_perms} == {community.collection_id}
    assert community.editors_group.permissions.filter(codename="access_admin").exists()
    assert community.moderators_group.permissions.filter(codename="access_admin").exists()


def test_create_community_with_a_hostname(streets):
    create(hostname="www.jiayi.cn")
    assert Community.objects.get(slug="a1").site.hostname == "www.jiayi.cn"


def test_running_every_command_twice_changes_nothing(streets):
    create()
    create(slug="a2", name="甲二社区", hostname="a2.example.cn")
    before = counts()
    make_city_by_commands()
    assert "already exists, nothing changed" in create()
    assert "already exists, nothing changed" in create(slug="a2", name="甲二社区", hostname="a2.example.cn")
    assert counts() == before


def test_two_communities_of_the_same_name_in_different_streets(streets):
    """Community names repeat across a big city (新华社区 is in many districts); slugs do not."""
    run("create_region", kind="street", name="乙街道", slug="street-b", parent="east")
    create(slug="xinhua-a", name="新华社区", street="street-a")
    create(slug="xinhua-b", name="新华社区", street="street-b")
    a, b = Community.objects.get(slug="xinhua-a"), Community.objects.get(slug="xinhua-b")
    assert a.editors_group != b.editors_group and a.moderators_group != b.moderators_group


def test_two_streets_of_the_same_name_in_different_districts(streets):
    run("create_region", kind="district", name="西区", slug="west", parent="city")
    run("create_region", kind="street", name="新华街道", slug="xinhua-east", parent="east")
    run("create_region", kind="street", name="新华街道", slug="xinhua-west", parent="west")
    assert Region.objects.filter(name="新华街道").count() == 2


# --- all or nothing ---------------------------------------------------------------------------


@pytest.mark.parametrize(("step", "nth_call"), [("grant_editing", 1), ("_new_group", 2)])
def test_a_failure_midway_leaves_nothing_half_made(streets, monkeypatch, step, nth_call):
    """Both steps come after the page tree, the Site and the collection were made."""
    real = getattr(provisioning, step)
    calls = {"n": 0}

    def fail_on_nth_call(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == nth_call:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(provisioning, step, fail_on_nth_call)
    street_page = Region.objects.get(slug="street-a").page
    before = counts()
    with pytest.raises(RuntimeError):
        create()
    assert calls["n"] == nth_call
    assert counts() == before
    assert Page.objects.get(pk=street_page.pk).numchild == street_page.numchild
    assert not Site.objects.filter(hostname="a1.localhost").exists()
    monkeypatch.setattr(provisioning, step, real)
    create()  # nothing left over stands in the way of a clean second attempt
    assert Community.objects.filter(slug="a1").exists()
    assert Page.find_problems() == ([], [], [], [], [])


def test_a_database_refusal_is_a_clean_command_error(streets, monkeypatch):
    from django.db import IntegrityError

    def refuse(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(Community.objects, "create", refuse)
    fails_with("Nothing was changed", "create_community", street="street-a", name="甲一社区", slug="a1")


# --- bad input --------------------------------------------------------------------------------


def test_unknown_street(streets):
    fails_with("No street with slug 'nowhere'", "create_community", street="nowhere", name="甲一社区", slug="a1")


def test_a_district_is_not_a_street(streets):
    fails_with("No street with slug 'east'", "create_community", street="east", name="甲一社区", slug="a1")


def test_taken_slug(streets):
    create()
    message = fails_with("already taken", "create_community", street="street-a", name="别的社区", slug="a1")
    assert "'a1'" in message


def test_taken_hostname(streets):
    create()
    fails_with(
        "The hostname 'a1.localhost' is already taken",
        "create_community",
        street="street-a",
        name="甲二社区",
        slug="a2",
        hostname="a1.localhost",
    )
    fails_with("already taken", "create_community", street="street-a", name="甲三社区", slug="a3", hostname="LOCALHOST")


@pytest.mark.parametrize("slug", ["Bad_Slug", "-x", "x-", "a" * 60, "", "has space", "中文", "a.b"])
def test_invalid_slug(streets, slug):
    # As a shell passes it: --slug=-x (a bare "--slug -x" is an argparse error before the command runs).
    fails_with("Invalid slug", "create_community", "--street=street-a", "--name=甲一社区", f"--slug={slug}")


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_name(streets, name):
    fails_with("needs a name", "create_community", street="street-a", name=name, slug="a1")


def test_name_too_long(streets):
    fails_with("100", "create_community", street="street-a", name="长" * 101, slug="a1")


@pytest.mark.parametrize("hostname", ["not a host", "-bad.example.cn", "a..b", "http://a1.cn", "a1.example.cn/x"])
def test_invalid_hostname(streets, hostname):
    fails_with("hostname", "create_community", street="street-a", name="甲一社区", slug="a1", hostname=hostname)


def test_region_bad_input(streets):
    fails_with("with slug 'nowhere'", "create_region", kind="street", name="丙街道", slug="c", parent="nowhere")
    fails_with("with slug 'east'", "create_region", kind="district", name="北区", slug="north", parent="east")
    fails_with("Invalid slug", "create_region", kind="street", name="丙街道", slug="Bad_Slug", parent="east")
    fails_with("already used", "create_region", kind="street", name="别的街道", slug="street-a", parent="east")
    with pytest.raises(CommandError):
        run("create_region", kind="town", name="镇", slug="town", parent="city")


def test_commands_exit_non_zero_with_the_message(tmp_path):
    """What an operator sees in a shell: exit status 1 and the reason on stderr."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'untouched.sqlite3'}"
    command = ["create_community", "--street=x", "--name=甲一社区", "--slug=Bad_Slug"]
    result = subprocess.run(
        [sys.executable, "manage.py", *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        timeout=120,
    )
    assert result.returncode == 1
    # The operator reads the reason in the portal's language (Chinese by default), naming the slug.
    assert "Bad_Slug" in result.stderr and ("Invalid slug" in result.stderr or "标识" in result.stderr)
    assert "Traceback" not in result.stderr


# --- rename -----------------------------------------------------------------------------------


def test_rename_updates_site_page_collection_and_groups(streets, client):
    create()
    community = Community.objects.get(slug="a1")
    notice = add_notice(community, "改名前的通知")
    out = run("rename_community", "a1", name="甲新社区", new_slug="jiaxin")
    assert "jiaxin.localhost" in out
    community.refresh_from_db()
    assert (community.name, community.slug, community.hostname) == ("甲新社区", "jiaxin", "jiaxin.localhost")
    site = Site.objects.get(pk=community.site_id)
    assert (site.hostname, site.site_name) == ("jiaxin.localhost", "甲新社区")
    home = Page.objects.get(pk=community.root_page_id)
    assert (home.title, home.slug) == ("甲新社区", "jiaxin")
    assert Collection.objects.get(pk=community.collection_id).name == "甲新社区"
    assert "甲新社区" in Group.objects.get(pk=community.editors_group_id).name
    assert "甲新社区" in Group.objects.get(pk=community.moderators_group_id).name
    # Served on the new host, with the pages below it.
    assert client.get("/", HTTP_HOST="jiaxin.localhost").context["page"].pk == community.root_page_id
    notice_path = Page.objects.get(pk=notice.pk).relative_url(site)
    assert client.get(notice_path, HTTP_HOST="jiaxin.localhost").status_code == 200


def test_rename_survives_the_next_edit_in_the_admin(streets, admin_client):
    """The admin edits the latest revision: a rename must not be undone by the next publish."""
    from wagtail.test.utils.form_data import querydict_from_html

    create()
    community = Community.objects.get(slug="a1")
    url = f"/admin/pages/{community.root_page_id}/edit/"
    data = querydict_from_html(admin_client.get(url).content.decode(), form_id="page-edit-form")
    data["action-publish"] = "action-publish"
    assert admin_client.post(url, data).status_code == 302  # the home now has a revision history
    run("rename_community", "a1", name="甲新社区")
    form = admin_client.get(url)
    data = querydict_from_html(form.content.decode(), form_id="page-edit-form")
    assert data["title"] == "甲新社区"
    data["action-publish"] = "action-publish"
    assert admin_client.post(url, data).status_code == 302
    assert Page.objects.get(pk=community.root_page_id).title == "甲新社区"


def test_rename_keeps_an_unpublished_draft_and_renames_it_too(streets, admin_client):
    """An editor's draft of the home must neither be lost nor bring the old name back when published."""
    from wagtail.test.utils.form_data import querydict_from_html

    create()
    community = Community.objects.get(slug="a1")
    url = f"/admin/pages/{community.root_page_id}/edit/"
    data = querydict_from_html(admin_client.get(url).content.decode(), form_id="page-edit-form")
    data["seo_title"] = "草稿里的SEO标题"
    assert admin_client.post(url, data).status_code == 302  # saved as a draft, not published
    assert Page.objects.get(pk=community.root_page_id).has_unpublished_changes

    run("rename_community", "a1", name="甲新社区", new_slug="jiaxin")
    data = querydict_from_html(admin_client.get(url).content.decode(), form_id="page-edit-form")
    assert (data["title"], data["slug"], data["seo_title"]) == ("甲新社区", "jiaxin", "草稿里的SEO标题")
    data["action-publish"] = "action-publish"
    assert admin_client.post(url, data).status_code == 302
    home = Page.objects.get(pk=community.root_page_id)
    assert (home.title, home.slug, home.seo_title) == ("甲新社区", "jiaxin", "草稿里的SEO标题")


def test_rename_the_hostname_only(streets):
    create()
    run("rename_community", "a1", hostname="www.jiayi.cn")
    community = Community.objects.get(slug="a1")
    assert community.hostname == "www.jiayi.cn" and community.site.hostname == "www.jiayi.cn"
    assert community.name == "甲一社区"


def test_rename_bad_input(streets):
    create()
    create(slug="a2", name="甲二社区")
    fails_with("No community with slug 'nope'", "rename_community", "nope", name="x")
    fails_with("already taken", "rename_community", "a1", new_slug="a2")
    fails_with("already taken", "rename_community", "a1", hostname="a2.localhost")
    fails_with("Invalid slug", "rename_community", "a1", new_slug="Bad_Slug")
    fails_with("hostname", "rename_community", "a1", hostname="not a host")
    assert Community.objects.get(slug="a1").name == "甲一社区"


# --- remove -----------------------------------------------------------------------------------


def test_remove_deletes_everything(streets):
    before = counts()
    create()
    community = Community.objects.get(slug="a1")
    add_notice(community, "要删除的通知")
    out = run("remove_community", "a1", yes=True)
    assert "removed" in out
    assert counts() == before
    assert not Page.objects.filter(title="要删除的通知").exists()
    assert Page.find_problems() == ([], [], [], [], [])


def test_remove_refuses_without_yes(streets):
    create()
    fails_with("--yes", "remove_community", "a1")


def test_remove_refuses_a_collection_with_documents(streets, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    create()
    community = Community.objects.get(slug="a1")
    Document.objects.create(
        title="居民公约", file=ContentFile(b"%PDF-1.4", name="gongyue.pdf"), collection=community.collection
    )
    fails_with("still holds images or documents", "remove_community", "a1", yes=True)
    assert Community.objects.filter(slug="a1").exists()


def test_remove_unknown(streets):
    fails_with("No community with slug 'nope'", "remove_community", "nope", yes=True)


# --- seed_demo ----------------------------------------------------------------------------------


@SEED_DEMO_COMMAND
def test_seed_demo_builds_the_demo_city_once_and_prints_accounts(db):
    from communities.events.models import EventPage
    from communities.news.models import NewsArticlePage
    from communities.notices.models import NoticePage
    from communities.services.models import ServicePage

    out = seed_demo_command_once()  # `seed_demo` on this empty database, run once per worker (tests/conftest.py)
    assert "demo-2026" in out and "editor" in out and "resident" in out
    assert Region.objects.filter(kind=Region.Kind.DISTRICT).count() == 2
    assert Region.objects.filter(kind=Region.Kind.STREET).count() >= 3
    assert Community.objects.count() >= 6
    for page_type in (NoticePage, NewsArticlePage, EventPage, ServicePage):
        assert page_type.objects.live().exists(), page_type
    before = counts()
    assert "nothing re-seeded" in run("seed_demo")
    assert counts() == before


@SEED_DEMO_COMMAND
def test_seed_demo_grows_the_city(db):
    seed_demo_command_once()
    run("seed_demo", communities=8)
    assert Community.objects.count() == 8
    before = counts()
    run("seed_demo", communities=8)
    assert counts() == before


def test_seed_demo_bad_input(db, settings):
    with pytest.raises(CommandError):
        run("seed_demo", communities=-1)
    settings.SETTINGS_MODULE = "portal.settings.production"
    with pytest.raises(CommandError, match="allow-production"):
        run("seed_demo")
