"""Workers in the real Wagtail admin: their own community only, masked data, audited reveals."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from portal.accounts.membership import apply_for_membership, is_verified_resident
from portal.accounts.models import Membership
from portal.audit.apps import AUDITORS_GROUP
from portal.audit.models import AppendOnlyError, AuditEntry

from .conftest import make_id_number

PHONE_A, PHONE_B = "13800138000", "13900139000"


@pytest.fixture
def members(city, buildings, resident):
    a = apply_for_membership(
        resident(PHONE_A, "阿甲"),
        city["a1"],
        buildings["a1-1"],
        "1",
        "1203",
        real_name="张三丰",
        id_number=make_id_number(),
    )
    b = apply_for_membership(resident(PHONE_B, "阿乙"), city["b1"], buildings["b1-1"], "1", "0808", real_name="李四")
    return {"a1": a, "b1": b}


def admin(host_client, user):
    return host_client("localhost", user)


def test_listing_shows_own_community_only_and_masked(city, members, worker_of, host_client):
    client = admin(host_client, worker_of(city["a1"]))
    assert "/admin/memberships/" in client.get("/admin/").content.decode()  # in the Residents menu
    page = client.get("/admin/memberships/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "阿甲" in html and "138****8000" in html and "1***" in html
    assert PHONE_A not in html and "1203" not in html
    assert "阿乙" not in html and "139****9000" not in html


def test_inspect_is_masked_and_audited(city, members, worker_of, host_client):
    worker = worker_of(city["a1"])
    m = members["a1"]
    html = admin(host_client, worker).get(f"/admin/memberships/inspect/{m.pk}/").content.decode()
    assert "138****8000" in html and "张**" in html and m.id_masked in html
    assert PHONE_A not in html and "张三丰" not in html and "1203" not in html and make_id_number() not in html
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.subject, entry.community, entry.what) == (
        worker,
        m.user,
        city["a1"],
        "view membership (masked)",
    )


def test_reveal_needs_a_reason_and_is_audited(city, members, worker_of, host_client):
    worker = worker_of(city["a1"])
    client = admin(host_client, worker)
    m = members["a1"]
    url = f"/admin/memberships/{m.pk}/reveal/"
    response = client.post(url, {"reason": ""})
    assert PHONE_A not in response.content.decode()
    assert not AuditEntry.objects.exists()
    response = client.post(url, {"reason": "上门核实住址"})
    html = response.content.decode()
    assert PHONE_A in html and "张三丰" in html and "1203" in html
    entry = AuditEntry.objects.get()
    assert entry.actor == worker and entry.subject == m.user and entry.why == "上门核实住址"
    assert "reveal" in entry.what and PHONE_A not in entry.what


def test_reveal_needs_the_reveal_permission(city, members, worker_of, host_client):
    worker = worker_of(city["a1"])
    perm = Permission.objects.get(codename="reveal_personal_data")
    city["a1"].editors_group.permissions.remove(perm)
    response = admin(host_client, worker).post(
        f"/admin/memberships/{members['a1'].pk}/reveal/", {"reason": "看看这个人的电话"}
    )
    assert response.status_code in (302, 403)
    assert PHONE_A not in response.content.decode()


def test_worker_of_a_cannot_see_verify_or_reveal_b(city, members, worker_of, host_client):
    client = admin(host_client, worker_of(city["a1"]))
    b = members["b1"]
    for url in (
        f"/admin/memberships/inspect/{b.pk}/",
        f"/admin/memberships/edit/{b.pk}/",
        f"/admin/memberships/history/{b.pk}/",
        f"/admin/homes/edit/{b.home.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/admin/memberships/edit/{b.pk}/", {"status": "verified", "reason": ""})
    assert response.status_code == 404
    response = client.post(f"/admin/memberships/{b.pk}/reveal/", {"reason": "越权查看"})
    assert response.status_code == 404
    assert PHONE_B not in response.content.decode()
    b.refresh_from_db()
    assert b.status == Membership.Status.PENDING
    assert not AuditEntry.objects.filter(subject=b.user).exists()
    homes = client.get("/admin/homes/").content.decode()
    assert "0***" not in homes  # b1's home


def test_worker_verifies_rejects_with_reason_and_revokes(city, members, worker_of, host_client):
    worker = worker_of(city["a1"])
    client = admin(host_client, worker)
    m = members["a1"]
    url = f"/admin/memberships/edit/{m.pk}/"
    response = client.post(url, {"status": "rejected", "reason": ""})
    assert response.status_code == 200  # form error: a reason is required
    m.refresh_from_db()
    assert m.status == "pending"
    response = client.post(url, {"status": "rejected", "reason": "门牌号与登记不符"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert (m.status, m.decided_by) == ("rejected", worker)
    # the resident sees the reason
    page = host_client("a1.localhost", m.user).get("/accounts/me/").content.decode()
    assert "门牌号与登记不符" in page
    response = client.post(url, {"status": "verified", "reason": "", "is_homeowner": "on"})
    assert response.status_code == 302
    assert is_verified_resident(m.user, city["a1"])
    response = client.post(url, {"status": "revoked", "reason": "已搬离"})
    assert response.status_code == 302
    assert not is_verified_resident(m.user, city["a1"])


def test_worker_checks_the_id_card_against_the_fingerprint(city, members, worker_of, host_client):
    client = admin(host_client, worker_of(city["a1"]))
    m = members["a1"]
    other = make_id_number("11010519800101001")
    response = client.post(f"/admin/memberships/edit/{m.pk}/", {"status": "verified", "id_number_check": other})
    assert response.status_code == 200
    assert "does not match" in response.content.decode()
    response = client.post(
        f"/admin/memberships/edit/{m.pk}/", {"status": "verified", "id_number_check": make_id_number()}
    )
    assert response.status_code == 302


def test_worker_records_floor_area_of_own_homes(city, members, worker_of, host_client):
    client = admin(host_client, worker_of(city["a1"]))
    home = members["a1"].home
    assert client.post(f"/admin/homes/edit/{home.pk}/", {"floor_area": "89.50"}).status_code == 302
    home.refresh_from_db()
    assert str(home.floor_area) == "89.50"


def test_worker_keeps_buildings_of_own_community_only(city, buildings, worker_of, host_client):
    client = admin(host_client, worker_of(city["a1"]))
    assert client.get(f"/admin/buildings/edit/{buildings['b1-1'].pk}/").status_code == 404
    assert client.get(f"/admin/buildings/edit/{buildings['a1-1'].pk}/").status_code == 200
    listing = client.get("/admin/buildings/").content.decode()
    assert "社区a1" in listing and "社区b1" not in listing
    response = client.post("/admin/buildings/new/", {"community": city["b1"].pk, "name": "9号楼", "units": ""})
    assert response.status_code == 200  # b1 is not a choice
    response = client.post("/admin/buildings/new/", {"community": city["a1"].pk, "name": "9号楼", "units": "1,2"})
    assert response.status_code == 302
    assert city["a1"].buildings.filter(name="9号楼").exists()


def test_auditor_browses_the_log_and_nobody_can_change_it(city, members, worker_of, make_user, host_client):
    worker = worker_of(city["a1"])
    admin(host_client, worker).post(f"/admin/memberships/{members['a1'].pk}/reveal/", {"reason": "核对住址信息"})
    entry = AuditEntry.objects.get()
    # the worker is not an auditor
    assert admin(host_client, worker).get("/admin/audit/").status_code in (302, 403)
    auditor = make_user("auditor", is_staff=True)
    auditor.groups.add(Group.objects.get(name=AUDITORS_GROUP))  # made by migrate
    client = admin(host_client, auditor)
    html = client.get("/admin/audit/").content.decode()
    assert "核对住址信息" in html
    superuser = make_user("root", is_superuser=True, is_staff=True)
    root = admin(host_client, superuser)
    assert root.get(f"/admin/audit/edit/{entry.pk}/").status_code in (302, 403)
    assert root.post(f"/admin/audit/delete/{entry.pk}/").status_code in (302, 403)
    assert AuditEntry.objects.filter(pk=entry.pk, why="核对住址信息").exists()
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(why="")


@pytest.mark.postgres_only
def test_postgres_trigger_refuses_raw_update_and_delete(city, members, worker_of):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    from portal.audit.log import record

    entry = record(worker_of(city["a1"]), members["a1"].user, "test", "why")
    for sql in ("UPDATE audit_auditentry SET why = 'x'", "DELETE FROM audit_auditentry"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.get(pk=entry.pk).why == "why"


def test_opening_an_account_in_wagtails_user_editor_is_audited(city, resident, make_user, host_client):
    person = resident(PHONE_A, "阿甲")
    root = make_user("root", is_superuser=True, is_staff=True)
    assert host_client("localhost", root).get(f"/admin/users/edit/{person.pk}/").status_code == 200
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.subject, entry.what) == (root, person, "view account in admin user editor")


def test_wagtails_user_form_takes_groups_by_name_not_a_checkbox_per_group(city, make_user, host_client):
    """Two groups per community made the user form 1,400 checkboxes at 700 communities: the groups are
    their names, one a line; an unknown name is an error that names it, and nothing is saved."""
    root = host_client("localhost", make_user("root", is_superuser=True, is_staff=True))
    form = root.get("/admin/users/new/").content.decode()
    editors, moderators = city["a1"].editors_group, city["a1"].moderators_group
    assert (
        'name="groups"' in form and f'value="{editors.pk}"' not in form and 'type="checkbox" name="groups"' not in form
    )
    data = {
        "username": "newworker",
        "email": "worker@example.com",
        "first_name": "新",
        "last_name": "员工",
        "password1": "a-Long-enough-pass-9",
        "password2": "a-Long-enough-pass-9",
    }
    unknown = root.post("/admin/users/new/", {**data, "groups": f"{editors.name}\n没有这个组"})
    assert unknown.status_code == 200 and "没有这个组" in unknown.context["form"].errors["groups"][0]
    assert not get_user_model().objects.filter(username="newworker").exists()
    created = root.post("/admin/users/new/", {**data, "groups": f" {editors.name}\r\n\r\n{moderators.name} "})
    assert created.status_code == 302, created.context["form"].errors
    worker = get_user_model().objects.get(username="newworker")
    assert set(worker.groups.all()) == {editors, moderators}
    edit = root.get(f"/admin/users/edit/{worker.pk}/").content.decode()
    assert editors.name in edit and moderators.name in edit
