"""The resident is notified of each public change to their complaint, once, with a link to it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from participation.complaints import cases, delivery
from participation.complaints.models import CaseState, Outbox
from portal.notifications.models import Notification

from .test_updates import SECRET, push, updates_json


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit announcements as a real commit would."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def test_each_state_change_and_reply_notifies_the_reporter_once(new_complaint, make_user, on_commit):
    complaint, worker = new_complaint(), make_user()
    on_commit(cases.accept, complaint, worker)
    on_commit(cases.add_note, complaint, worker, "内部备注：先联系物业")
    on_commit(cases.add_note, complaint, worker, "已联系物业，明天处理。", public=True)

    notes = list(Notification.objects.filter(recipient=complaint.reporter).order_by("pk"))
    assert [n.text for n in notes] == [f"您的诉求 #{complaint.pk}：已受理。", f"您的诉求 #{complaint.pk} 有新的回复。"]
    assert all(n.url == f"http://a1.localhost/complaints/{complaint.reference}/" for n in notes)
    assert Notification.objects.exclude(recipient=complaint.reporter).count() == 0, "nobody else is told"


def test_the_resident_is_not_told_of_their_own_rating(new_complaint, make_user, on_commit):
    complaint = new_complaint()
    on_commit(cases.settle_locally, complaint, make_user(), "已修复。")
    before = Notification.objects.filter(recipient=complaint.reporter).count()
    on_commit(cases.rate, complaint, "satisfied")
    complaint.refresh_from_db()
    assert complaint.state == CaseState.EVALUATED
    assert Notification.objects.filter(recipient=complaint.reporter).count() == before == 3


def test_anonymous_complaints_notify_nobody(new_complaint, make_user, on_commit, city):
    complaint = new_complaint(reporter=None)
    complaint.reporter = None
    complaint.save()
    on_commit(cases.settle_locally, complaint, make_user(), "已处理。")
    assert Notification.objects.count() == 0


def test_a_city_update_pushed_twice_notifies_once(fake_city, point_at, escalated, client, settings, on_commit):
    settings.OPEN311_PUSH_SECRET = SECRET
    point_at(fake_city())
    complaint, outbox = on_commit(escalated)
    delivery.process_due(now=timezone.now())
    outbox.refresh_from_db()
    assert outbox.state == Outbox.State.DELIVERED
    told_before = Notification.objects.filter(recipient=complaint.reporter).count()

    body = updates_json(outbox.service_request_id, ("p1", "in_progress", timezone.now() + timedelta(minutes=1), ""))
    for _ in range(2):
        assert on_commit(push, client, body).status_code == 200

    complaint.refresh_from_db()
    assert complaint.state == CaseState.IN_PROGRESS
    new = Notification.objects.filter(recipient=complaint.reporter).count() - told_before
    assert new == 1
