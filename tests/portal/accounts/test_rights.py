"""A resident's rights: export, correction, deletion; retention of codes and IP addresses."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.dispatch import receiver
from django.utils import timezone

from portal.accounts.identity import id_hash
from portal.accounts.membership import apply_for_membership
from portal.accounts.models import Membership, VerificationCode
from portal.accounts.signals import account_deleted, personal_data_requested
from portal.audit.models import AuditEntry

from .conftest import PASSWORD, make_id_number

User = get_user_model()
PHONE = "13800138000"
ID = make_id_number()


@pytest.fixture
def member(city, buildings, signup, host_client):
    """A resident who signed up, joined a1 with real name and ID number, and is verified."""
    client = signup(PHONE)
    response = client.post(
        "/accounts/join/",
        {
            "building": buildings["a1-1"].pk,
            "unit": "1",
            "room": "1203",
            "real_name": "张三丰",
            "id_number": ID,
            "id_consent": "on",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(phone=PHONE)
    Membership.objects.filter(user=user).update(status="verified", is_homeowner=True)
    return user, client


def test_export_json_holds_everything_the_resident_gave(member):
    user, client = member
    response = client.get("/accounts/me/data.json")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["Account"]["Mobile number"] == PHONE
    assert data["Account"]["Display name"] == "老王"
    assert {c["Privacy notice"] for c in data["Consents"]} == {"Your account", "Your ID number"}
    (m,) = data["Memberships"]
    assert m["Community"] == "社区a1"
    assert m["Address"] == "1号楼 unit 1 1203"
    assert m["Real name"] == "张三丰"
    assert m["ID number (masked)"] == ID[:2] + "*" * 14 + ID[-2:]
    assert m["Roles"] == ["Resident", "Homeowner"]
    assert m["Status"] == "Verified"


def test_export_includes_sections_other_apps_add(member):
    user, client = member

    @receiver(personal_data_requested)
    def forum_posts(sender, user, **kwargs):
        return {"forum_posts": [{"title": "楼道灯坏了"}]}

    try:
        data = json.loads(client.get("/accounts/me/data.json").content)
        assert data["Forum posts"] == [{"Title": "楼道灯坏了"}]
        assert "楼道灯坏了" in client.get("/accounts/me/data/").content.decode()
    finally:
        personal_data_requested.disconnect(forum_posts)


def test_readable_data_page_shows_the_same(member):
    user, client = member
    html = client.get("/accounts/me/data/").content.decode()
    for value in (PHONE, "老王", "张三丰", "1203", "社区a1"):
        assert value in html


def test_resident_corrects_their_details(member):
    user, client = member
    response = client.post("/accounts/me/edit/", {"display_name": "王大爷", "email": "wang@example.com"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.email) == ("王大爷", "wang@example.com")
    response = client.post("/accounts/me/edit/", {"display_name": "", "email": "not-an-email"})
    assert response.status_code == 200


def _rows_containing(needle: str) -> list[str]:
    """Every table.column in the database whose text contains `needle`."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                qt, qc = connection.ops.quote_name(table), connection.ops.quote_name(column.name)
                cursor.execute(f"SELECT COUNT(*) FROM {qt} WHERE CAST({qc} AS TEXT) LIKE %s", [f"%{needle}%"])
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column.name}")
    return found


def test_deletion_leaves_no_personal_data_in_any_table(member, worker_of, city, host_client):
    user, client = member
    worker = worker_of(city["a1"])
    membership = Membership.objects.get(user=user)
    staff = host_client("localhost", worker)
    staff.post(f"/admin/memberships/{membership.pk}/reveal/", {"reason": "核对住址信息"})
    staff.get(f"/admin/memberships/inspect/{membership.pk}/")
    assert staff.post(f"/admin/memberships/edit/{membership.pk}/", {"status": "verified"}).status_code == 302
    assert _rows_containing(PHONE) and _rows_containing(id_hash(ID))  # the search does find them before
    deleted = []
    account_deleted.connect(lambda sender, user, **kw: deleted.append(user.pk), weak=False, dispatch_uid="t")
    try:
        response = client.post("/accounts/me/delete/", {"password": PASSWORD, "confirm": "on"})
    finally:
        account_deleted.disconnect(dispatch_uid="t")
    assert response.status_code == 302
    assert deleted == [user.pk]
    assert _rows_containing(PHONE) == []
    assert _rows_containing(id_hash(ID)) == []
    assert _rows_containing("张三丰") == []
    assert _rows_containing("老王") == []  # the display name, also in Wagtail's admin log
    user.refresh_from_db()
    assert not user.is_active and user.deleted_at and user.public_name == "Deleted user"
    assert client.get("/accounts/me/").status_code == 302  # logged out
    # the audit trail stays: ids only
    assert AuditEntry.objects.filter(subject=user).count() >= 2
    # the phone can sign up again as a new person (once the SMS cooldown is over)
    cache.clear()
    assert host_client("a1.localhost").post("/accounts/signup/", {"phone": PHONE, "consent": "on"}).status_code == 302


def test_deletion_needs_the_password(member):
    user, client = member
    response = client.post("/accounts/me/delete/", {"password": "wrong", "confirm": "on"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.is_active and user.phone == PHONE


def test_staff_export_of_memberships_is_masked(city, buildings, resident, worker_of, host_client):
    apply_for_membership(resident(PHONE, "阿甲"), city["a1"], buildings["a1-1"], "1", "1203", "张三丰", ID)
    response = host_client("localhost", worker_of(city["a1"])).get("/admin/memberships/?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert "138****8000" in body and "张**" in body
    assert PHONE not in body and "张三丰" not in body and "1203" not in body and ID not in body


def test_purge_removes_old_codes_and_ip_addresses(city, resident):
    user = resident(PHONE)
    old = timezone.now() - timedelta(days=60)
    User.objects.filter(pk=user.pk).update(last_login=old, last_login_ip="10.1.2.3")
    recent = resident("13900139000")
    User.objects.filter(pk=recent.pk).update(last_login=timezone.now(), last_login_ip="10.9.9.9")
    stale = VerificationCode.objects.create(phone=PHONE, purpose="signup", code_hash="x", expires_at=old)
    VerificationCode.objects.filter(pk=stale.pk).update(created_at=old)
    fresh = VerificationCode.objects.create(
        phone=PHONE, purpose="signup", code_hash="y", expires_at=timezone.now(), requested_ip="10.0.0.1"
    )
    call_command("purge_personal_data")
    assert not VerificationCode.objects.filter(pk=stale.pk).exists()
    assert VerificationCode.objects.get(pk=fresh.pk).requested_ip == "10.0.0.1"
    assert User.objects.get(pk=user.pk).last_login_ip is None
    assert User.objects.get(pk=recent.pk).last_login_ip == "10.9.9.9"


def test_purge_can_be_enqueued(db):
    old = timezone.now() - timedelta(days=60)
    stale = VerificationCode.objects.create(phone=PHONE, purpose="signup", code_hash="x", expires_at=old)
    VerificationCode.objects.filter(pk=stale.pk).update(created_at=old)
    call_command("purge_personal_data", "--enqueue")  # the immediate backend runs it at once in tests
    assert not VerificationCode.objects.exists()


def test_withdrawing_id_consent_erases_the_fingerprint(member):
    from portal.accounts import consent

    user, client = member
    assert "id_number" in client.get("/accounts/me/").content.decode()
    response = client.post("/accounts/consent/id_number/withdraw/")
    assert response.status_code == 302
    assert not consent.has_consent(user, consent.ID_NUMBER)
    assert _rows_containing(id_hash(ID)) == []
    assert Membership.objects.get(user=user).id_masked == ""
    assert client.post("/accounts/consent/account/withdraw/").status_code == 404
