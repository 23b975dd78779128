"""Organisation staff edit only their own organisation, and nothing is public before the community approves."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from wagtail.models import Page, TaskState, WorkflowState

from communities.organisations.models import OrganisationPage, ProjectPage
from communities.organisations.provisioning import provision_organisation_staff, workflow_for
from communities.regions.models import CommunityApprovalTask

from .conftest import make_organisation, make_project, organisation_form_data, report_row


def admin(client, user):
    client.force_login(user)
    return client


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def test_every_community_gets_a_section_on_the_one_community_approval_workflow(city):
    workflows = {workflow_for(community) for community in city.values()}
    assert len(workflows) == 1
    (workflow,) = workflows
    assert workflow is not None and workflow.active
    assert isinstance(workflow.tasks.get().specific, CommunityApprovalTask)


def test_staff_group_has_rights_on_its_own_organisation_only(org_a, org_b):
    access = provision_organisation_staff(org_a)
    rights = {(p.page_id, p.permission.codename) for p in access.staff_group.page_permissions.all()}
    assert rights == {(org_a.pk, "add_page"), (org_a.pk, "change_page")}
    assert provision_organisation_staff(org_a).pk == access.pk  # idempotent


def test_staff_cannot_open_or_change_another_organisations_pages(client, org_a, org_b, staff_of):
    staff_a = staff_of(org_a)
    project_b = make_project(org_b)
    admin(client, staff_a)
    assert client.get(edit_url(org_a)).status_code == 200
    for page in (org_b, project_b):
        assert client.get(edit_url(page)).status_code in (302, 403)
        data = organisation_form_data(org_b, title="被篡改", change_note="x", **{"action-submit": "1"})
        client.post(edit_url(page), data)
        page.refresh_from_db()
        assert page.title != "被篡改"
        assert page.latest_revision == page.live_revision
    add_project = reverse("wagtailadmin_pages:add", args=["community_organisations", "projectpage", org_b.pk])
    assert client.get(add_project).status_code in (302, 403)
    assert client.get(reverse("wagtailadmin_pages:delete", args=[org_b.pk])).status_code in (302, 403)
    assert not ProjectPage.objects.child_of(org_b).exclude(pk=project_b.pk).exists()


def test_staff_cannot_publish_their_own_changes(client, org_a, staff_of, host_client):
    admin(client, staff_of(org_a))
    data = organisation_form_data(org_a, purpose="未经审核的宗旨", change_note="自行发布", **{"action-publish": "1"})
    client.post(edit_url(org_a), data)
    org_a.refresh_from_db()
    assert org_a.purpose != "未经审核的宗旨"
    assert "未经审核的宗旨" not in host_client("a1.localhost").get(org_a.url).content.decode()


def test_submitted_changes_are_public_only_after_the_community_approves(
    client, city, org_a, staff_of, editor_of, host_client, django_user_model
):
    public = host_client("a1.localhost")
    data = organisation_form_data(
        org_a,
        reports=[report_row(2025, government_grants_restricted="30000.00")],
        change_note="补充2025年度财务报告",
        **{"action-submit": "1"},
    )
    response = admin(client, staff_of(org_a)).post(edit_url(org_a), data)
    assert response.status_code == 302
    state = WorkflowState.objects.get(base_content_type__isnull=False, object_id=str(org_a.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS

    finances = public.get(org_a.url + "finances/").content.decode()
    assert "31000.00" not in finances
    assert org_a.financial_reports.count() == 0  # the live rows are untouched
    assert public.get("/api/v1/organisations/financial-lines.json").json()["count"] == 0

    # Another community's editor cannot approve it.
    outsider = admin(client.__class__(), editor_of(city["b1"]))
    task_state = state.current_task_state
    approve = reverse("wagtailadmin_pages:workflow_action", args=[org_a.pk, "approve", task_state.pk])
    outsider.post(approve)
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS

    approver = admin(client.__class__(), editor_of(city["a1"]))
    assert approver.post(approve).status_code in (200, 302)
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED

    org_a.refresh_from_db()
    report = org_a.financial_reports.get()
    assert report.total_income == Decimal("31000.00")
    assert report.disclosed_on is not None
    assert "31000.00" in public.get(org_a.url + "finances/").content.decode()
    history = public.get(org_a.url + "history/").content.decode()
    assert "补充2025年度财务报告" in history


def test_new_organisation_submitted_by_staff_is_not_public_until_approved(client, city, org_a, staff_of, host_client):
    staff = staff_of(org_a)
    add_url = reverse("wagtailadmin_pages:add", args=["community_organisations", "projectpage", org_a.pk])
    data = {
        "title": "四点半课堂",
        "slug": "after-school",
        "description": "为双职工家庭孩子提供课后看护。",
        "status": "ongoing",
        "funding_source": "donation",
        "start_date": date(2026, 9, 1).isoformat(),
        "end_date": "",
        "location": "社区图书室",
        "target_group": "小学生",
        "beneficiaries": "30",
        "budget": "20000.00",
        "actual_spending": "0",
        "final_summary": "",
        "change_note": "",
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
        "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1000",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        "action-submit": "1",
    }
    response = admin(client, staff).post(add_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    project = ProjectPage.objects.get(slug="after-school")
    assert not project.live
    assert host_client("a1.localhost").get(org_a.url + "after-school/").status_code == 404
    assert "四点半课堂" not in host_client("a1.localhost").get("/api/v1/organisations/projects.csv").content.decode()


def test_org_staff_do_not_see_the_compliance_view(client, org_a, staff_of):
    admin(client, staff_of(org_a))
    response = client.get(reverse("organisations_compliance"))
    assert response.status_code in (302, 403)


def test_page_tree_rules(city):
    from communities.organisations.models import OrganisationIndexPage
    from communities.pages.models import CommunityHomePage

    assert OrganisationIndexPage in CommunityHomePage.allowed_subpage_models()
    assert OrganisationIndexPage.allowed_parent_page_models() == [CommunityHomePage]
    assert OrganisationPage.allowed_subpage_models() == [ProjectPage]
    assert Page.objects.type(OrganisationIndexPage).count() == len(city)


def test_publishing_an_organisation_gives_it_a_staff_group_and_a_collection(city):
    from communities.organisations.models import OrganisationAccess

    org = make_organisation(city["a1"], 9, title="新登记的组织")
    access = OrganisationAccess.objects.get(page=org)
    assert access.staff_group.name == "新登记的组织 staff" or access.staff_group.name == "新登记的组织工作人员"
    assert access.collection.get_parent().pk == city["a1"].collection_id


def test_the_command_adds_users_and_explains_bad_input(city, org_a, make_user):
    from django.core.management import CommandError, call_command

    user = make_user(username="zhangsan")
    call_command("provision_organisation_staff", org_a.credit_code.lower(), "--add-user", "zhangsan")
    assert user.groups.filter(organisation_access__page=org_a).exists()
    with pytest.raises(CommandError, match="No organisation with the credit code"):
        call_command("provision_organisation_staff", "91350100M000100Y43")
    with pytest.raises(CommandError, match="No user named nobody"):
        call_command("provision_organisation_staff", org_a.credit_code, "--add-user", "nobody")


def test_the_communitys_staff_who_may_publish_approve_and_no_one_else(
    client, city, org_a, staff_of, editor_of, make_user
):
    """One task for every community: its approvers are found through the scoping function."""
    from communities.regions.models import Region

    data = organisation_form_data(org_a, purpose="新的宗旨", change_note="修改宗旨", **{"action-submit": "1"})
    assert admin(client, staff_of(org_a)).post(edit_url(org_a), data).status_code == 302
    state = WorkflowState.objects.get(base_content_type__isnull=False, object_id=str(org_a.pk))
    task_state = state.current_task_state
    task = task_state.task.specific
    assert isinstance(task, CommunityApprovalTask)

    street_editor = make_user(is_staff=True)
    street_editor.groups.add(Region.objects.get(slug="street-a").editors_group)
    other_street_editor = make_user(is_staff=True)
    other_street_editor.groups.add(Region.objects.get(slug="street-b").editors_group)
    moderator = make_user(is_staff=True)
    moderator.groups.add(city["a1"].moderators_group)
    approvers = {
        "superuser": (make_user(is_superuser=True), True),
        "a1 editor": (editor_of(city["a1"]), True),
        "street-a editor": (street_editor, True),
        "b1 editor": (editor_of(city["b1"]), False),
        "street-b editor": (other_street_editor, False),
        "a1 moderator": (moderator, False),
        "organisation staff": (staff_of(org_a), False),
    }
    page = org_a.get_latest_revision_as_object()
    for who, (user, may) in approvers.items():
        reviewable = set(TaskState.objects.reviewable_by(user).values_list("pk", flat=True))
        assert (task_state.pk in reviewable) is may, who
        assert bool(task.get_actions(page, user)) is may, who
        assert task.locked_for_user(page, user) is not may, who
        dashboard = admin(client.__class__(), user).get(reverse("wagtailadmin_home")).content.decode()
        assert (reverse("wagtailadmin_pages:edit", args=[org_a.pk]) in dashboard) is may, who
