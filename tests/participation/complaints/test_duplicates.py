"""Copies of a complaint at the city (our marker under an id we did not keep): linked, shown, followed."""

from datetime import timedelta

from django.utils import timezone

from participation.complaints import delivery, open311, updates
from participation.complaints.conf import default_endpoint
from participation.complaints.models import CaseState, CityDuplicate, ComplaintEvent, Outbox

from .test_updates import SECRET, push, updates_json


def deliver_with_a_copy(fake_city, point_at, escalated):
    """A plain city that made two requests of one complaint (a resend it could not recognise, after
    a lookup that failed): (server, complaint, outbox, copy's service_request_id)."""
    server = fake_city(dedupe=False, lookup=False)
    point_at(server, lookups=[])  # no lookup: the resend after the drop makes a copy
    now = timezone.now()
    complaint, outbox = escalated(now=now)
    server.fail_next("post", "drop")
    delivery.process_due(now=now)
    delivery.process_due(now=now + timedelta(hours=7))
    outbox.refresh_from_db()
    assert outbox.state == Outbox.State.DELIVERED
    [copy] = [r for r in server.requests_for(complaint.portal_id) if r.service_request_id != outbox.service_request_id]
    return server, complaint, outbox, copy.service_request_id


def test_the_window_listing_links_the_extra_copies(fake_city, point_at, escalated):
    server = fake_city(dedupe=False, lookup=False)
    point_at(server)
    now = timezone.now()
    complaint, outbox = escalated(now=now)
    fields = delivery.request_fields(complaint)
    first, second = server.record(fields, "a"), server.record(fields, "b")  # the city holds two already
    Outbox.objects.filter(pk=outbox.pk).update(ambiguous=True)

    assert delivery.process_due(now=now) == {"delivered": 1}
    outbox.refresh_from_db()
    assert outbox.service_request_id == first.service_request_id, "the first made is the one we follow"
    [copy] = complaint.city_duplicates.all()
    assert (copy.service_request_id, copy.source) == (second.service_request_id, CityDuplicate.Source.LISTING)
    assert len(server.requests) == 2, "nothing sent"
    assert complaint.events.filter(kind=ComplaintEvent.Kind.NOTE, text__contains=second.service_request_id).exists()


def test_the_poll_finds_a_copy_and_applies_its_updates(fake_city, point_at, escalated):
    server, complaint, outbox, copy_id = deliver_with_a_copy(fake_city, point_at, escalated)
    point_at(server)  # the window lookup (and so the sweep) is on again
    # The city closes the copy; the request we follow stays open.
    server.add_update(outbox.service_request_id, "open", "已派单。", update_id="u-open")
    server.add_update(copy_id, "closed", "已处理完毕。", at=timezone.now() + timedelta(seconds=1), update_id="u-closed")

    counts = updates.poll(default_endpoint(), now=timezone.now() + timedelta(minutes=1))
    assert counts["copies_found"] == 1 and counts["applied"] == 2 and counts["unknown"] == 0
    [copy] = complaint.city_duplicates.all()
    assert copy.service_request_id == copy_id and copy.source == CityDuplicate.Source.LISTING
    complaint.refresh_from_db()
    assert complaint.state == CaseState.CLOSED, "the city closed its copy: so is the complaint"

    again = updates.poll(default_endpoint(), now=timezone.now() + timedelta(minutes=2))
    assert again["copies_found"] == 0 and CityDuplicate.objects.count() == 1


def test_a_pushed_update_carrying_our_marker_links_its_copy(fake_city, point_at, escalated, client, settings):
    settings.OPEN311_PUSH_SECRET = SECRET
    server, complaint, outbox, copy_id = deliver_with_a_copy(fake_city, point_at, escalated)
    at = timezone.now() + timedelta(minutes=1)
    body = updates_json(copy_id, ("c1", "in_progress", at, f"处理中 {open311.marker(complaint.portal_id)}"))

    answer = push(client, body)
    assert answer.status_code == 200 and answer.json()["applied"] == 1
    [copy] = complaint.city_duplicates.all()
    assert copy.service_request_id == copy_id and copy.source == CityDuplicate.Source.UPDATE
    complaint.refresh_from_db()
    assert complaint.state == CaseState.IN_PROGRESS
    # Later updates of the copy need no marker: the copy is known.
    later = updates_json(copy_id, ("c2", "closed", at + timedelta(minutes=1), "已办结"))
    assert push(client, later).json()["applied"] == 1
    complaint.refresh_from_db()
    assert complaint.state == CaseState.CLOSED


def test_an_update_without_our_marker_for_an_unknown_request_stays_unknown(fake_city, point_at, escalated):
    server, complaint, outbox, copy_id = deliver_with_a_copy(fake_city, point_at, escalated)
    stray = open311.Update("s1", "999999", "closed", timezone.now(), "另一渠道的事件已办结")
    assert updates.apply_updates([stray], "default")["unknown"] == 1
    assert not CityDuplicate.objects.exists()


def test_the_marker_of_the_request_we_follow_is_not_a_copy(fake_city, point_at, escalated):
    server, complaint, outbox, copy_id = deliver_with_a_copy(fake_city, point_at, escalated)
    point_at(server)
    CityDuplicate.objects.all().delete()
    listed = [{"service_request_id": outbox.service_request_id, "description": open311.marker(complaint.portal_id)}]
    from participation.complaints import duplicates

    assert duplicates.link_listed(listed, "default") == 0


def test_staff_see_copies_and_put_the_note_for_the_city_on_the_timeline(
    fake_city, point_at, escalated, client, make_user, city
):
    server, complaint, outbox, copy_id = deliver_with_a_copy(fake_city, point_at, escalated)
    point_at(server)
    updates.poll(default_endpoint(), now=timezone.now() + timedelta(minutes=1))
    [copy] = complaint.city_duplicates.all()
    worker = make_user()
    worker.groups.add(city["a1"].editors_group)
    client.force_login(worker)

    page = client.get(f"/admin/complaints/{complaint.pk}/")
    assert page.status_code == 200
    note = page.context["copies"][0][1]
    assert copy_id in note and outbox.service_request_id in note and complaint.portal_id in note
    assert copy_id in page.text

    url = f"/admin/complaints/{complaint.pk}/duplicates/{copy.pk}/reported/"
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    copy.refresh_from_db()
    assert copy.reported_by == worker and copy.reported_at is not None
    assert complaint.events.filter(kind=ComplaintEvent.Kind.NOTE, author=worker, text__contains=note).count() == 1
    client.post(url)
    assert complaint.events.filter(kind=ComplaintEvent.Kind.NOTE, author=worker).count() == 1, "once"

    outsider = make_user()
    outsider.groups.add(city["b1"].editors_group)
    client.force_login(outsider)
    assert client.get(f"/admin/complaints/{complaint.pk}/").status_code == 404
    assert client.post(url).status_code == 404
