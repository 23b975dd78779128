"""Settings › Participation rules: a community's workers choose, per kind of action, whom their site allows."""

from wagtail.models import ModelLogEntry

from portal.accounts.actions import Requirement, decide, registered
from portal.accounts.models import ActionRule, Membership


def form_data(**overrides):
    return {action.key: action.default for action in registered()} | overrides


def test_a_worker_sets_their_communitys_rules_and_no_other(city, worker_of, make_user, client):
    a1, b1 = city["a1"], city["b1"]
    worker = worker_of(a1)
    client.force_login(worker)
    index = client.get("/admin/participation-rules/")
    assert index.status_code == 302 and index["Location"] == f"/admin/participation-rules/{a1.pk}/"
    page = client.get(f"/admin/participation-rules/{a1.pk}/")
    assert page.status_code == 200 and "Post in the forum" in page.content.decode()
    assert client.get(f"/admin/participation-rules/{b1.pk}/").status_code == 404
    assert client.post(f"/admin/participation-rules/{b1.pk}/", form_data()).status_code == 404

    pending = make_user()
    Membership.objects.create(user=pending, community=a1, status=Membership.Status.PENDING)
    assert decide(pending, a1, "forum.post")
    response = client.post(f"/admin/participation-rules/{a1.pk}/", form_data(**{"forum.post": "verified"}))
    assert response.status_code == 302
    assert ActionRule.objects.get(community=a1).requirement == Requirement.VERIFIED
    assert not decide(pending, a1, "forum.post")
    assert ModelLogEntry.objects.filter(action="wagtail.edit", user=worker).exists()

    client.post(f"/admin/participation-rules/{a1.pk}/", form_data())  # back to the defaults: no rows kept
    assert not ActionRule.objects.exists() and decide(pending, a1, "forum.post")


def test_a_choice_the_action_does_not_offer_is_a_form_error(city, worker_of, client):
    a1 = city["a1"]
    client.force_login(worker_of(a1))
    response = client.post(f"/admin/participation-rules/{a1.pk}/", form_data(**{"deliberations.vote": "account"}))
    assert response.status_code == 400 and not ActionRule.objects.exists()


def test_residents_and_staff_without_the_permission_are_refused(city, make_user, client):
    client.force_login(make_user(is_staff=True))
    assert client.get(f"/admin/participation-rules/{city['a1'].pk}/").status_code in (302, 403)
    assert not ActionRule.objects.exists()


def test_worker_groups_made_before_the_rules_existed_get_them_after_migrate(db):
    from django.contrib.auth.models import Group, Permission

    from portal.accounts.permissions import grant_rules_to_workers

    workers, others = Group.objects.create(name="old workers"), Group.objects.create(name="others")
    workers.permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="change_membership"))
    grant_rules_to_workers()
    grant_rules_to_workers()  # twice changes nothing
    assert workers.permissions.filter(codename="change_actionrule").count() == 1
    assert not others.permissions.exists()
