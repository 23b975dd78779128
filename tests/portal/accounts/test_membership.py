"""Applying to join a community: address validation, ID numbers, duplicate identity, the membership API."""

import threading

import pytest
from django.db import connection

from portal.accounts import consent
from portal.accounts.identity import id_hash
from portal.accounts.membership import (
    DuplicateIdentity,
    Role,
    apply_for_membership,
    has_role,
    household_members,
    household_of,
    is_verified_resident,
    verified_members,
)
from portal.accounts.models import Membership

from .conftest import make_id_number

ID = make_id_number()


def join(host_client, user, host="a1.localhost", **data):
    client = host_client(host, user)
    return client.post("/accounts/join/", data)


def test_join_form_shows_the_id_notice(city, buildings, resident, host_client):
    page = host_client("a1.localhost", resident("13800138000")).get("/accounts/join/").content.decode()
    assert str(consent.notice(consent.ID_NUMBER).text)[:20] in page
    assert "1号楼" in page


def test_apply_with_address_and_id_number_stores_only_fingerprint_and_masked_form(
    city, buildings, resident, host_client
):
    user = resident("13800138000")
    response = join(
        host_client,
        user,
        building=buildings["a1-1"].pk,
        unit="2",
        room="1203",
        real_name="张三",
        id_number=ID.lower(),
        id_consent="on",
    )
    assert response.status_code == 302, response.context["form"].errors
    membership = Membership.objects.get(user=user)
    assert membership.status == Membership.Status.PENDING
    assert membership.home.address == "1号楼 unit 2 1203"
    assert membership.id_hash == id_hash(ID)
    assert membership.id_masked == ID[:2] + "*" * 14 + ID[-2:]
    assert consent.has_consent(user, consent.ID_NUMBER)
    assert not is_verified_resident(user, city["a1"])


def test_bad_id_check_digit_is_refused(city, buildings, resident, host_client):
    bad = ID[:17] + ("0" if ID[17] != "0" else "1")
    response = join(
        host_client, resident("13800138000"), building=buildings["a1-2"].pk, room="101", id_number=bad, id_consent="on"
    )
    assert response.status_code == 200
    assert "check digit" in str(response.context["form"].errors["id_number"])
    assert not Membership.objects.exists()


@pytest.mark.parametrize("number", ["1101051949123100", "11010519491231002Y", "A10105194912310021"])
def test_malformed_id_number_is_refused(city, buildings, resident, host_client, number):
    response = join(
        host_client,
        resident("13800138000"),
        building=buildings["a1-2"].pk,
        room="101",
        id_number=number,
        id_consent="on",
    )
    assert "id_number" in response.context["form"].errors


def test_id_number_needs_its_own_consent(city, buildings, resident, host_client):
    response = join(host_client, resident("13800138000"), building=buildings["a1-2"].pk, room="101", id_number=ID)
    assert "id_consent" in response.context["form"].errors


def test_address_outside_the_communitys_buildings_is_refused(city, buildings, resident, host_client):
    user = resident("13800138000")
    # a building of another community
    response = join(host_client, user, building=buildings["b1-1"].pk, unit="1", room="101")
    assert "building" in response.context["form"].errors
    # a unit the building does not have
    response = join(host_client, user, building=buildings["a1-1"].pk, unit="7", room="101")
    assert "units 1, 2" in str(response.context["form"].errors["unit"])
    # a room that is not a room number
    response = join(host_client, user, building=buildings["a1-2"].pk, room="<script>")
    assert "room" in response.context["form"].errors
    assert not Membership.objects.exists()


def test_join_on_the_city_site_is_a_clear_404(city, resident, host_client):
    response = host_client("localhost", resident("13800138000")).get("/accounts/join/")
    assert response.status_code == 404


def test_same_id_in_one_community_is_refused_with_a_clear_message(city, buildings, resident, host_client):
    first, second = resident("13800138000"), resident("13900139000")
    data = {"building": buildings["a1-2"].pk, "room": "101", "id_number": ID, "id_consent": "on"}
    assert join(host_client, first, **data).status_code == 302
    response = join(host_client, second, **data)
    assert response.status_code == 200
    assert "already used by another account in this community" in str(response.context["form"].errors["id_number"])
    assert Membership.objects.count() == 1


def test_same_id_allowed_in_two_communities(city, buildings, resident, host_client):
    first, second = resident("13800138000"), resident("13900139000")
    a1 = {"building": buildings["a1-2"].pk, "room": "101", "id_number": ID, "id_consent": "on"}
    b1 = {"building": buildings["b1-1"].pk, "unit": "1", "room": "101", "id_number": ID, "id_consent": "on"}
    assert join(host_client, first, **a1).status_code == 302
    assert join(host_client, second, "b1.localhost", **b1).status_code == 302
    assert Membership.objects.filter(id_hash=id_hash(ID)).count() == 2


def test_same_id_allowed_again_after_the_first_membership_is_revoked(city, buildings, resident):
    first, second = resident("13800138000"), resident("13900139000")
    m = apply_for_membership(first, city["a1"], buildings["a1-2"], "", "101", id_number=ID)
    m.status = Membership.Status.REVOKED
    m.save()
    assert apply_for_membership(second, city["a1"], buildings["a1-2"], "", "102", id_number=ID).pk


def test_applying_twice_to_one_community_is_refused(city, buildings, resident, host_client):
    user = resident("13800138000")
    assert join(host_client, user, building=buildings["a1-2"].pk, room="101").status_code == 302
    response = join(host_client, user, building=buildings["a1-2"].pk, room="102")
    assert "already applied" in str(response.context["form"].non_field_errors())


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_same_id_at_the_same_moment_only_one_wins(city, buildings, resident):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")
    users = [resident(f"1380013800{n}") for n in range(4)]
    barrier = threading.Barrier(len(users))
    outcomes = []

    def apply(user):
        try:
            barrier.wait()
            apply_for_membership(user, city["a1"], buildings["a1-2"], "", "101", id_number=ID)
            outcomes.append("ok")
        except DuplicateIdentity:
            outcomes.append("duplicate")
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["duplicate"] * 3 + ["ok"]
    assert Membership.objects.filter(community=city["a1"], id_hash=id_hash(ID)).count() == 1


def test_membership_api_roles_and_households(city, buildings, resident):
    a, b, c = resident("13800138000"), resident("13900139000"), resident("13700137000")
    ma = apply_for_membership(a, city["a1"], buildings["a1-1"], "1", "301")
    mb = apply_for_membership(b, city["a1"], buildings["a1-1"], "1", "301")
    apply_for_membership(c, city["a1"], buildings["a1-1"], "1", "302")
    assert ma.home == mb.home
    Membership.objects.filter(pk=ma.pk).update(status="verified", is_homeowner=True)
    assert is_verified_resident(a, city["a1"])
    assert not is_verified_resident(a, city["b1"])
    assert has_role(a, city["a1"], Role.RESIDENT)
    assert has_role(a, city["a1"], Role.HOMEOWNER)
    assert not has_role(a, city["a1"], Role.MODERATOR)
    assert not has_role(b, city["a1"], Role.RESIDENT)  # pending
    assert household_of(a, city["a1"]) == ma.home
    assert household_of(b, city["a1"]) is None
    assert list(household_members(ma.home)) == [a]
    Membership.objects.filter(pk=mb.pk).update(status="verified")
    assert set(household_members(ma.home)) == {a, b}
    assert list(verified_members(city["a1"], Role.HOMEOWNER)) == [a]


def test_membership_checks_cost_one_query_each(city, buildings, resident, django_assert_num_queries):
    user = resident("13800138000")
    m = apply_for_membership(user, city["a1"], buildings["a1-1"], "1", "301")
    Membership.objects.filter(pk=m.pk).update(status="verified", is_representative=True)
    with django_assert_num_queries(1):
        assert is_verified_resident(user, city["a1"])
    with django_assert_num_queries(1):
        assert has_role(user, city["a1"], Role.REPRESENTATIVE)
    with django_assert_num_queries(1):
        assert household_of(user, city["a1"]).room == "301"
