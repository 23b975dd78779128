"""Workers' triage in the Wagtail admin, scoped to their communities; the digest and the command."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from participation.complaints.digest import send_stuck_digest
from participation.complaints.models import CaseState, ComplaintSettings, Outbox, ServiceCategory
from participation.complaints.tasks import poll_updates, process_due_outbox


@pytest.fixture
def worker(city, make_user):
    """A community worker of a1 (its editors group)."""
    user = make_user(email="worker@example.org")
    user.groups.add(city["a1"].editors_group)
    return user


@pytest.fixture
def admin_client(client, worker):
    client.force_login(worker)
    return client


def act(client, complaint, **data):
    return client.post(f"/admin/complaints/{complaint.pk}/", data)


def test_the_listing_is_scoped_to_the_workers_communities(admin_client, new_complaint):
    mine = new_complaint(description="a1 的投诉")
    theirs = new_complaint(community="b1", description="b1 的投诉")
    page = admin_client.get("/admin/complaints/")
    assert page.status_code == 200
    assert list(page.context["page_obj"]) == [mine]
    assert admin_client.get(f"/admin/complaints/{theirs.pk}/").status_code == 404
    assert act(admin_client, theirs, action="accept").status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == CaseState.SUBMITTED


def test_residents_without_communities_are_refused(client, make_user, city):
    client.force_login(make_user())
    assert client.get("/admin/complaints/").status_code in (302, 403)


def test_accept_sets_the_deadline_and_overdue_is_flagged(admin_client, new_complaint):
    complaint = new_complaint()
    assert act(admin_client, complaint, action="accept").status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == CaseState.ACCEPTED
    assert complaint.deadline - complaint.accepted_at == timedelta(days=5)
    assert not complaint.is_overdue

    complaint.deadline = timezone.now() - timedelta(hours=1)
    complaint.save()
    page = admin_client.get("/admin/complaints/", {"overdue": "on"})
    assert list(page.context["page_obj"]) == [complaint]
    assert "督办" in page.text


def test_settle_locally_needs_a_reply_and_closes(admin_client, new_complaint):
    complaint = new_complaint()
    response = act(admin_client, complaint, action="settle", text="")
    assert response.status_code == 200 and "text" in response.context["form"].errors
    act(admin_client, complaint, action="settle", text="已协调物业处理。")
    complaint.refresh_from_db()
    assert complaint.state == CaseState.CLOSED
    assert complaint.events.filter(text="已协调物业处理。", to_state=CaseState.REPLIED).exists()


def test_merge_duplicates_only_within_reach(admin_client, new_complaint):
    original, copy = new_complaint(), new_complaint()
    elsewhere = new_complaint(community="b1")
    act(admin_client, copy, action="duplicate", original=elsewhere.pk)
    copy.refresh_from_db()
    assert copy.state == CaseState.SUBMITTED
    act(admin_client, copy, action="duplicate", original=original.pk)
    copy.refresh_from_db()
    assert copy.state == CaseState.DUPLICATE and copy.duplicate_of == original


def test_an_illegal_move_is_a_message_not_a_500(admin_client, new_complaint):
    complaint = new_complaint()
    act(admin_client, complaint, action="settle", text="好的")
    response = act(admin_client, complaint, action="accept")
    assert response.status_code == 200
    complaint.refresh_from_db()
    assert complaint.state == CaseState.CLOSED


def test_escalation_from_the_admin_delivers_after_commit(
    admin_client, new_complaint, fake_city, point_at, django_capture_on_commit_callbacks
):
    server = fake_city()
    point_at(server)
    complaint = new_complaint()
    with django_capture_on_commit_callbacks(execute=True):
        act(admin_client, complaint, action="escalate", text="需城管执法")
    complaint.refresh_from_db()
    assert complaint.state == CaseState.ESCALATED
    assert complaint.outbox.state == Outbox.State.DELIVERED
    assert len(server.requests_for(complaint.portal_id)) == 1
    page = admin_client.get(f"/admin/complaints/{complaint.pk}/")
    assert complaint.outbox.service_request_id in page.text


def test_local_categories_do_not_escalate(admin_client, new_complaint, categories):
    complaint = new_complaint(category=categories["local"])
    act(admin_client, complaint, action="escalate")
    complaint.refresh_from_db()
    assert complaint.state == CaseState.SUBMITTED
    assert not Outbox.objects.exists()


def test_dead_letters_are_listed_in_scope_and_requeued(admin_client, escalated, make_user, city, host_client):
    complaint, outbox = escalated()
    Outbox.objects.filter(pk=outbox.pk).update(state=Outbox.State.DEAD, attempts=24, last_error="HTTP 403")
    page = admin_client.get("/admin/complaints/deliveries/")
    assert list(page.context["rows"]) == [Outbox.objects.get()]
    assert "HTTP 403" in page.text

    other = make_user()
    other.groups.add(city["b1"].editors_group)
    client = host_client("localhost", other)
    assert list(client.get("/admin/complaints/deliveries/").context["rows"]) == []
    assert client.post("/admin/complaints/deliveries/", {"outbox": outbox.pk}).status_code == 404

    assert admin_client.post("/admin/complaints/deliveries/", {"outbox": outbox.pk}).status_code == 302
    outbox.refresh_from_db()
    assert outbox.state == Outbox.State.PENDING and outbox.attempts == 0


def test_community_settings_are_scoped_and_validated(admin_client, city, categories):
    url = f"/admin/complaints/settings/{city['a1'].pk}/"
    bad = admin_client.post(url, {"hidden_categories": ["999999"]})
    assert bad.status_code == 200 and "hidden_categories" in bad.context["form"].errors
    assert "boundary" not in bad.context["form"].fields  # the community's region boundary is the one boundary
    good = {"allow_anonymous": "on"}
    admin_client.post(url, {**good, "hidden_categories": [categories["road"].pk]})
    saved = ComplaintSettings.objects.get(community=city["a1"])
    assert saved.allow_anonymous and list(saved.hidden_categories.all()) == [categories["road"]]
    assert admin_client.get(f"/admin/complaints/settings/{city['b1'].pk}/").status_code == 404


def test_categories_are_editable_snippets(client, make_user, categories):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    listing = client.get("/admin/snippets/complaints/servicecategory/")
    assert listing.status_code == 200 and "噪音扰民" in listing.text


def test_catalogue_sync_keeps_staff_fields_and_retires(fake_city, point_at, categories):
    server = fake_city(fmt="xml")
    point_at(server)
    categories["road"].deadline_days = 3
    categories["road"].save()
    call_command("open311", "sync", stdout=StringIO())
    road = ServiceCategory.objects.get(service_code="road")
    assert road.from_city and road.deadline_days == 3 and road.department == "市政局" and not road.retired
    server.services = [s for s in server.services if s["service_code"] != "road"]
    call_command("open311", "sync", stdout=StringIO())
    road.refresh_from_db()
    assert road.retired
    assert ServiceCategory.objects.get(service_code="local-greening").retired is False


def test_daily_digest_lists_stuck_deliveries(escalated, make_user, settings):
    settings.OPEN311_DIGEST_RECIPIENTS = ["ops@example.org"]
    complaint, outbox = escalated()
    Outbox.objects.filter(pk=outbox.pk).update(state=Outbox.State.DEAD, last_error="HTTP 403: Invalid api_key")
    fine, fine_outbox = escalated()
    assert send_stuck_digest() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ops@example.org"]
    assert f"#{complaint.pk}" in message.body and "Invalid api_key" in message.body
    assert f"#{fine.pk} " not in message.body


def test_the_command_delivers_and_explains_missing_settings(fake_city, point_at, escalated, settings):
    complaint, outbox = escalated()
    settings.OPEN311 = {**settings.OPEN311, "url": ""}
    with pytest.raises(CommandError, match="OPEN311_URL"):
        call_command("open311", "poll")
    out = StringIO()
    call_command("open311", "deliver", stdout=out)
    assert "unconfigured" in out.getvalue()
    point_at(fake_city())
    Outbox.objects.update(next_try_at=timezone.now())
    out = StringIO()
    call_command("open311", "deliver", stdout=out)
    assert "'delivered': 1" in out.getvalue()


def test_district_overrides_choose_the_endpoint(fake_city, point_at, escalated, settings):
    east, default = fake_city(), fake_city()
    point_at(default)
    settings.OPEN311_DISTRICTS = {"east": {"url": east.url}}
    in_east, _ = escalated(community="a1")  # a1 is in street-a, district east
    in_west, _ = escalated(community="c1")
    assert process_due_outbox.enqueue().return_value == {"delivered": 2}
    assert [r.portal_id for r in east.requests] == [in_east.portal_id]
    assert [r.portal_id for r in default.requests] == [in_west.portal_id]

    # Both systems number their requests alike: each update reaches its own complaint.
    assert east.requests[0].service_request_id == default.requests[0].service_request_id
    stamp = timezone.now()  # inside the task's poll window, which ends at its own now
    east.add_update(east.requests[0].service_request_id, "closed", "东区已办结", at=stamp)
    default.add_update(default.requests[0].service_request_id, "in_progress", "西区处理中", at=stamp)
    poll_updates.enqueue()
    in_east.refresh_from_db()
    in_west.refresh_from_db()
    assert (in_east.state, in_west.state) == (CaseState.CLOSED, CaseState.IN_PROGRESS)


# --- personal data of complainants: masked, revealed with a reason, logged ----------------------


def test_complainants_personal_data_is_masked_and_the_view_is_logged(admin_client, worker, new_complaint, make_user):
    from portal.audit.models import AuditEntry

    reporter = make_user(display_name="张三丰", phone="13811112222")
    complaint = new_complaint(
        reporter=reporter,
        contact_phone="13933334444",
        address="甲街道3号楼1203室",
        latitude="31.230416",
        longitude="121.473701",
    )
    page = admin_client.get(f"/admin/complaints/{complaint.pk}/").text
    for secret in ("张三丰", "13811112222", "13933334444", "1203", "31.230416", "121.473701"):
        assert secret not in page, secret
    assert "张**" in page and "138****2222" in page and "139****4444" in page and "甲街道*号楼****室" in page
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.subject, entry.what) == (worker, reporter, "view complaint (masked)")


def test_revealing_needs_a_reason_and_is_logged_first(admin_client, worker, new_complaint, make_user):
    from portal.audit.models import AuditEntry

    complaint = new_complaint(reporter=make_user(display_name="李四"), contact_phone="13933334444")
    url = f"/admin/complaints/{complaint.pk}/reveal/"
    refused = admin_client.post(url, {"reason": ""})
    assert refused.status_code == 200 and "13933334444" not in refused.text
    assert not AuditEntry.objects.filter(what__startswith="reveal").exists()

    shown = admin_client.post(url, {"reason": "需要电话联系核实现场情况"})
    assert "13933334444" in shown.text and "李四" in shown.text
    entry = AuditEntry.objects.get(what__startswith="reveal")
    assert entry.actor == worker and entry.subject == complaint.reporter
    assert entry.why == "需要电话联系核实现场情况" and entry.community == complaint.community
    assert "13933334444" not in entry.what, "the log holds field names, not values"


def test_revealing_is_refused_without_the_permission_or_outside_ones_communities(
    client, admin_client, new_complaint, make_user, city
):
    from portal.audit.models import AuditEntry

    elsewhere = new_complaint(community="b1", contact_phone="13933334444")
    assert admin_client.post(f"/admin/complaints/{elsewhere.pk}/reveal/", {"reason": "想看看是谁"}).status_code == 404
    mine = new_complaint(contact_phone="13933334444")
    moderator = make_user()  # a community moderator may triage, but not reveal personal data
    moderator.groups.add(city["a1"].moderators_group)
    assert not moderator.has_perm("accounts.reveal_personal_data")
    client.force_login(moderator)
    page = client.get(f"/admin/complaints/{mine.pk}/")
    assert page.status_code == 200 and "139****4444" in page.text
    assert f"/admin/complaints/{mine.pk}/reveal/" not in page.text
    response = client.post(f"/admin/complaints/{mine.pk}/reveal/", {"reason": "想看看是谁"})
    assert (response.status_code, response["Location"]) == (302, "/admin/"), "Wagtail turns the refusal into a redirect"
    assert not AuditEntry.objects.filter(what__startswith="reveal").exists()


def test_workers_see_photos_and_hide_them_from_the_public_record(
    admin_client, city, categories, make_user, host_client
):
    from participation.complaints import cases
    from participation.complaints.models import Complaint
    from participation.content.uploads import validate_image

    from .conftest import png_upload

    complaint = cases.submit(
        photos=[validate_image(png_upload())],
        community=city["a1"],
        reporter=make_user(),
        category=categories["noise"],
        kind=Complaint.Kind.HAZARD,
        description="占道经营",
        address="甲街道",
        public=True,
    )
    cases.accept(complaint, make_user())
    photo = complaint.photos.get()
    assert admin_client.get(f"/admin/complaints/{complaint.pk}/photos/{photo.pk}/").status_code == 200
    public = host_client("a1.localhost")
    assert public.get(f"/mirror/photos/{photo.pk}/").status_code == 200

    admin_client.post(f"/admin/complaints/{complaint.pk}/photos/{photo.pk}/visibility/", {"hidden": "1"})
    photo.refresh_from_db()
    assert photo.hidden_from_public
    assert public.get(f"/mirror/photos/{photo.pk}/").status_code == 404
    owner = host_client("a1.localhost", complaint.reporter)
    assert owner.get(f"/complaints/{complaint.reference}/photos/{photo.pk}/").status_code == 200, (
        "the resident still sees it"
    )

    admin_client.post(f"/admin/complaints/{complaint.pk}/photos/{photo.pk}/visibility/", {"hidden": "0"})
    assert public.get(f"/mirror/photos/{photo.pk}/").status_code == 200
