"""Provisioning gives each community's groups the model permissions the portal's admin screens need."""

from django.conf import settings


def codenames(group):
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_editors_and_moderators_get_the_listed_permissions(city):
    community = city["a1"]
    assert set(settings.PORTAL_EDITOR_PERMISSIONS) <= codenames(community.editors_group)
    assert set(settings.PORTAL_MODERATOR_PERMISSIONS) <= codenames(community.moderators_group)
    assert "accounts.reveal_personal_data" not in codenames(community.moderators_group)


def test_a_new_community_worker_reaches_the_residents_and_deliberations_screens(city, make_user, host_client):
    worker = make_user(is_staff=True)
    worker.groups.add(city["a1"].editors_group)
    client = host_client("localhost", worker)
    assert client.get("/admin/memberships/").status_code == 200
    assert worker.has_perm("deliberations.change_topic")
