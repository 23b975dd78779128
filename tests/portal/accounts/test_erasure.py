"""Erasure that erases: a resident with data in every place deletes their account; afterwards the whole
database (every text column of every table) and the media folders hold none of their name, phone,
ID number or address.

What retention keeps, and the test checks it is still there: the empty, inactive account row; the
audit entries (ids and fixed descriptions only); the complaint as a case (category, state, the
redacted description) without reporter, contact or photos; the forum thread and posts, redacted,
shown as by a deleted user; the deliberation comment and proposal, redacted.
"""

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from PIL import Image
from wagtail.log_actions import log

from participation.complaints import cases
from participation.complaints.models import Complaint, ComplaintEvent, ComplaintPhoto, ServiceCategory
from participation.content.uploads import store_image, validate_image
from participation.deliberations.models import Comment, Proposal, Topic
from participation.forums import services as forums
from participation.forums.models import ForumCategory, Post, PostRevision, Thread
from participation.moderation.models import ModerationState, Report
from portal.accounts.identity import id_hash
from portal.accounts.models import Home, Membership
from portal.audit.models import AuditEntry
from portal.notifications.models import Notification
from portal.search.models import SearchDocument

from .conftest import PASSWORD, make_id_number

User = get_user_model()
PHONE = "13912345678"
ID = make_id_number("32010219800101123")
REAL_NAME = "欧阳明远"
DISPLAY_NAME = "明远爸爸"
# How the resident writes about themselves: spaced phone, full ID number, their door.
SELF = f"我是{REAL_NAME}（{DISPLAY_NAME}），电话139 1234 5678，住1号楼1单元1502室，身份证{ID}。"

# What must be gone: names, the phone in the forms it was written, the ID number and its fingerprint,
# the address as the resident, the staff and the membership wrote it.
NEEDLES = [
    REAL_NAME,
    DISPLAY_NAME,
    PHONE,
    "139 1234 5678",
    "139-1234-5678",
    "1234 5678",
    ID,
    id_hash(ID),
    "1502室",
    "单元1502",
    "1号楼 unit 1 1502",
    "1-1-1502",
]


def rows_containing(needle: str) -> list[str]:
    """Every table.column whose text holds `needle` (or its JSON-escaped form, as SQLite keeps JSON)."""
    forms = {needle, json.dumps(needle)[1:-1]}
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                qt, qc = connection.ops.quote_name(table), connection.ops.quote_name(column.name)
                for form in forms:
                    cursor.execute(f"SELECT COUNT(*) FROM {qt} WHERE CAST({qc} AS TEXT) LIKE %s", [f"%{form}%"])
                    if cursor.fetchone()[0]:
                        found.append(f"{table}.{column.name}")
    return sorted(set(found))


def media_files_containing(roots, needles) -> list[str]:
    """Files under `roots` whose name or bytes hold any needle (UTF-8)."""
    hits = []
    for root in roots:
        for path in Path(root).rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                if any(n in path.name or n.encode() in data for n in needles):
                    hits.append(str(path))
    return hits


def png_with_text(text: str) -> io.BytesIO:
    """A photo that carries the person's data in its metadata (as a phone's camera might)."""
    from PIL import PngImagePlugin

    buffer = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text)
    Image.new("RGB", (20, 20), "red").save(buffer, format="PNG", pnginfo=info)
    buffer.seek(0)
    buffer.name = "photo.png"
    buffer.size = len(buffer.getvalue())
    return buffer


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"
    return settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def everywhere(city, buildings, signup, make_user, worker_of, host_client, media, django_capture_on_commit_callbacks):
    """The resident, with their data in every place residents' data lands."""
    a1 = city["a1"]
    with django_capture_on_commit_callbacks(execute=True):
        client = signup(PHONE, display_name=DISPLAY_NAME)
        response = client.post(
            "/accounts/join/",
            {
                "building": buildings["a1-1"].pk,
                "unit": "1",
                "room": "1502",
                "real_name": REAL_NAME,
                "id_number": ID,
                "id_consent": "on",
            },
        )
        assert response.status_code == 302
        user = User.objects.get(phone=PHONE)
        Membership.objects.filter(user=user).update(status="verified", is_homeowner=True)
        worker = worker_of(a1)
        neighbour = make_user("neighbour", display_name="邻居")

        # A complaint on the public record (反光镜) with a photo, and the staff's reply naming them.
        category = ServiceCategory.objects.create(service_code="noise", name="噪音扰民")
        complaint = cases.submit(
            photos=[validate_image(png_with_text(SELF))],
            community=a1,
            reporter=user,
            kind=Complaint.Kind.HAZARD,
            category=category,
            description="楼下烧烤店每晚噪音到凌晨两点。" + SELF,
            address="1号楼1单元1502室门口",
            contact_phone=PHONE,
            public=True,
        )
        cases.accept(complaint, worker)
        cases.add_note(complaint, worker, f"已电话联系{REAL_NAME}（13912345678），1502室的噪音已处理。", public=True)

        # The forum: a thread with an uploaded image, an edit (a revision), and a neighbour's reply naming them.
        category = ForumCategory.objects.create(community=a1, name="闲聊", slug="chat")
        image = store_image(validate_image(png_with_text(SELF)), folder="forum")
        thread = forums.create_thread(
            community=a1,
            category=category,
            author=user,
            title=f"{DISPLAY_NAME}：1502室漏水",
            body=SELF + f"\n\n![]({image.url})",
            state=ModerationState.PUBLISHED,
        )
        first = thread.posts.get(number=1)
        forums.edit_post(first, user, "楼上漏水，请联系我。", ModerationState.PUBLISHED)
        forums.create_reply(
            thread_id=thread.pk,
            author=neighbour,
            body=f"@{DISPLAY_NAME} {REAL_NAME}你好，1号楼1-1-1502我知道。",
            state=ModerationState.PUBLISHED,
        )
        # Written before public text was screened at submission: stored as typed.
        Post.objects.filter(pk=first.pk).update(body=SELF, body_html=f"<p>{SELF}</p>")
        Report.objects.create(community=a1, content_object=thread, reporter=user, reason="spam", note=SELF)
        log(thread, "wagtail.edit", user=worker)  # Wagtail's history keeps the title as label

        # Deliberations: a comment and a proposal.
        now = timezone.now()
        topic = Topic.objects.create(
            community=a1,
            title="加装电梯",
            description="是否在3号楼加装电梯",
            proposal_starts=now - timedelta(days=10),
            discussion_starts=now - timedelta(days=1),
            voting_starts=now + timedelta(days=5),
            voting_ends=now + timedelta(days=10),
        )
        Comment.objects.create(community=a1, topic=topic, author=user, body=SELF)
        Proposal.objects.create(
            community=a1,
            proposer=user,
            title=f"{REAL_NAME}的提议",
            description=SELF,
            options="同意\n反对",
            cosigners_needed=0,
        )
        Notification.objects.create(recipient=user, verb="reply", text=SELF, key="k1")
        Notification.objects.create(recipient=neighbour, verb="reply", text=f"{DISPLAY_NAME} 回复了你", key="k2")

        # Staff looked at their data (the audit log keeps that, ids only).
        staff = host_client("localhost", worker)
        membership = Membership.objects.get(user=user)
        staff.post(f"/admin/memberships/{membership.pk}/reveal/", {"reason": "核对住址信息"})
    return {
        "user": user,
        "client": client,
        "complaint": complaint,
        "thread": thread,
        "home": membership.home_id,
        "photo_paths": [Path(p.image.path) for p in ComplaintPhoto.objects.filter(complaint=complaint)],
        "forum_image": Path(media[0]) / image.name,
    }


def test_whole_database_and_media_hold_nothing_of_a_deleted_resident(
    everywhere, media, host_client, django_capture_on_commit_callbacks
):
    user = everywhere["user"]
    # The search finds them everywhere first (so the search itself is not blind).
    for needle in (REAL_NAME, DISPLAY_NAME, PHONE, ID, "1502室"):
        assert rows_containing(needle), needle
    assert SearchDocument.objects.filter(text__contains=REAL_NAME).exists()
    assert all(p.exists() for p in everywhere["photo_paths"]) and everywhere["forum_image"].exists()

    visitor = host_client("a1.localhost")
    public_urls = (f"/mirror/{everywhere['complaint'].pk}/", everywhere["thread"].get_absolute_url())
    for url in public_urls:  # seen (and cached for visitors) before: their name is there
        html = visitor.get(url).content.decode()
        assert REAL_NAME in html or DISPLAY_NAME in html, url

    with django_capture_on_commit_callbacks(execute=True):
        response = everywhere["client"].post("/accounts/me/delete/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302

    leftovers = {needle: rows_containing(needle) for needle in NEEDLES}
    assert leftovers == {needle: [] for needle in NEEDLES}
    assert media_files_containing(media, NEEDLES) == []
    assert not any(p.exists() for p in everywhere["photo_paths"])
    assert not everywhere["forum_image"].exists()
    assert not Home.objects.filter(pk=everywhere["home"]).exists()  # the orphaned home went

    # What retention keeps, without the person in it.
    user.refresh_from_db()
    assert not user.is_active and user.deleted_at
    assert AuditEntry.objects.filter(subject=user).count() >= 2
    complaint = Complaint.objects.get(pk=everywhere["complaint"].pk)
    assert complaint.reporter is None and complaint.contact_phone == ""
    assert not ComplaintPhoto.objects.filter(complaint=complaint).exists()
    assert "噪音" in complaint.description
    assert ComplaintEvent.objects.filter(complaint=complaint, text__contains="噪音已处理").exists()
    assert Thread.objects.filter(pk=everywhere["thread"].pk).exists()
    assert Post.objects.filter(thread=everywhere["thread"]).count() == 2
    assert PostRevision.objects.filter(post__thread=everywhere["thread"]).exists()
    assert Comment.objects.filter(author=user).exists() and Proposal.objects.filter(proposer=user).exists()
    assert not Notification.objects.filter(recipient=user).exists()

    # Public pages show nothing of it.
    for url in public_urls:
        page = visitor.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert [n for n in NEEDLES if n in html] == [], url


def test_reerase_after_a_restore_erases_again(city, make_user, capsys):
    """A backup restored from before a deletion brings the person back: --reerase with the ids from the
    application log erases them again; accounts that are still erased are left alone."""
    from django.core.management import call_command

    a1 = city["a1"]
    restored = make_user("restored", phone=PHONE, display_name=DISPLAY_NAME)
    category = ForumCategory.objects.create(community=a1, name="闲聊", slug="chat")
    thread = forums.create_thread(
        community=a1, category=category, author=restored, title="求助", body=f"我是{DISPLAY_NAME}", state="published"
    )
    call_command("purge_personal_data", "--reerase", str(restored.pk), "999999")
    restored.refresh_from_db()
    assert restored.deleted_at and restored.phone is None
    assert DISPLAY_NAME not in thread.posts.get(number=1).body
    assert f"Erased again: {restored.pk}." in capsys.readouterr().out
    call_command("purge_personal_data", "--reerase", str(restored.pk))
    assert "none (all still erased)" in capsys.readouterr().out


def test_reerase_refuses_what_is_not_an_id(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="invalid int value"):
        call_command("purge_personal_data", "--reerase", "abc")


@pytest.mark.django_db(transaction=True)
def test_vacuum_of_the_erasure_tables(capsys):
    from django.core.management import call_command

    from portal.accounts.retention import erasure_tables

    tables = erasure_tables()
    for table in ("forums_post", "complaints_complaint", "wagtailcore_revision", "accounts_home"):
        assert table in tables
    call_command("purge_personal_data", "--vacuum")
    out = capsys.readouterr().out
    if connection.vendor == "postgresql":
        assert f"Vacuumed {len(tables)} tables." in out
    else:
        assert "PostgreSQL only" in out


# Models that hold free text linked to a person and are NOT redacted by erasure, and why.
NOT_REDACTED = {
    "accounts.Membership": "deleted with the account",
    "audit.AuditEntry": "append-only; ids and fixed descriptions, the reason is the staff member's",
    "complaints.CityDuplicate": "the city's request id of a copy, no one's written text",
    "portal_api.ApiKey": "the partner's organisation name, typed by the staff member who issued the key",
}


def test_every_model_with_a_persons_free_text_is_registered_for_erasure():
    """A new model with a link to a user and free text must register with erasure (or be listed above)."""
    from django.apps import apps
    from django.db import models
    from wagtail.models import Page

    from portal.accounts import erasure

    registered = {s.model for s in erasure.text_sources()}
    missing = []
    for model in apps.get_models():
        if model.__module__.split(".")[0] not in ("portal", "participation", "communities"):
            continue
        if issubclass(model, Page) or model._meta.label in NOT_REDACTED:
            continue  # pages are written by staff; their history is registered (Revision, PageLogEntry)
        fields = model._meta.concrete_fields
        linked = any(isinstance(f, models.ForeignKey) and f.related_model is User for f in fields)
        free_text = [
            f.name
            for f in fields
            if isinstance(f, models.TextField)
            or (isinstance(f, models.CharField) and f.max_length >= 200 and not f.choices)
        ]
        if linked and free_text and model not in registered:
            missing.append(f"{model._meta.label} {free_text}")
    assert missing == []


def test_the_demo_shows_a_deleted_resident_and_staff_access(city, make_user, host_client, settings):
    """seed_demo: the forum has a thread by a resident who deleted their account (their name gone from it
    and from the neighbour's reply naming them, phone and door masked since submission), and the demo
    resident's export lists the worker who revealed their data."""
    from participation.forums.demo import seed_demo_forum
    from portal.accounts.demo import seed_demo_staff_access
    from portal.accounts.export import staff_access

    settings_community = city["a1"].slug
    from participation.forums import demo as forum_demo

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(forum_demo, "DELETED_RESIDENT_COMMUNITY", settings_community)
        seed_demo_forum(city["a1"])
    thread = Thread.objects.get(title="楼上漏水，是谁家的？")
    assert thread.author.deleted_at is not None
    bodies = " ".join(thread.posts.values_list("body", flat=True))
    assert "赵先生" not in bodies and "13700137000" not in bodies and "1502" not in bodies
    assert "水管" in bodies  # the content stays
    resident, worker = make_user("demo-resident"), make_user("demo-worker", display_name="社区小李")
    seed_demo_staff_access(worker, resident, city["a1"])
    seed_demo_staff_access(worker, resident, city["a1"])  # seeding twice adds nothing
    rows = staff_access(resident)
    assert [r["staff"] for r in rows] == ["社区小李", "社区小李"]
    assert rows[1]["why"] == "核对住址信息（演示）"
