"""Status updates from the city: by poll and by signed push, twice, out of order, for unknown requests."""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from participation.complaints import delivery, open311, updates
from participation.complaints.conf import default_endpoint
from participation.complaints.models import CaseState, ComplaintEvent, Outbox, PollCursor
from participation.complaints.push import sign

SECRET = "shared-secret-for-tests"


@pytest.fixture
def delivered(fake_city, point_at, escalated):
    """(server, complaint, service_request_id) for a complaint the city has accepted."""

    def make(fmt="json"):
        server = fake_city(fmt=fmt)
        point_at(server)
        complaint, outbox = escalated()
        delivery.process_due(now=timezone.now())
        outbox.refresh_from_db()
        assert outbox.state == Outbox.State.DELIVERED
        return server, complaint, outbox.service_request_id

    return make


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_poll_applies_updates_in_time_order_once(delivered, fmt):
    server, complaint, request_id = delivered(fmt)
    t0 = timezone.now()
    # Stored out of order: the closing update first, the dispatch after it.
    server.add_update(request_id, "closed", "已修复，请评价。", at=t0 + timedelta(minutes=20), update_id="u-close")
    server.add_update(request_id, "open", "", at=t0 + timedelta(minutes=5), update_id="u-open")
    server.add_update(request_id, "in_progress", "工作人员已到场。", at=t0 + timedelta(minutes=10), update_id="u-work")

    counts = updates.poll(default_endpoint(), now=t0 + timedelta(hours=1))
    assert counts["applied"] == 3
    complaint.refresh_from_db()
    assert complaint.state == CaseState.CLOSED
    steps = list(complaint.events.filter(from_city=True).values_list("to_state", flat=True))
    assert steps == [CaseState.DISPATCHED, CaseState.IN_PROGRESS, CaseState.CLOSED]

    # A worker died before saving its cursor: the same window is polled again and changes nothing.
    PollCursor.objects.all().delete()
    again = updates.poll(default_endpoint(), now=t0 + timedelta(hours=1, minutes=1))
    assert again["applied"] == 0 and again["duplicate"] == 3
    assert complaint.events.filter(from_city=True).count() == 3


def test_an_older_update_never_moves_the_case_back(delivered):
    server, complaint, request_id = delivered()
    t0 = timezone.now()
    server.add_update(request_id, "closed", "已处理完毕。", at=t0 + timedelta(minutes=30), update_id="late")
    updates.poll(default_endpoint(), now=t0 + timedelta(hours=1))
    # An update stamped earlier arrives after the closing one (late, by the shared apply path).
    early = open311.Update("early", request_id, "in_progress", t0 + timedelta(minutes=10), "正在处理。")
    counts = updates.apply_updates([early])
    complaint.refresh_from_db()
    assert complaint.state == CaseState.CLOSED
    assert counts["applied"] == 1, "its reply text is kept on the timeline"
    reply = complaint.events.get(city_update_id="default:early")
    assert reply.kind == ComplaintEvent.Kind.REPLY and reply.text == "正在处理。"


def test_updates_for_unknown_requests_are_logged_and_ignored(delivered, caplog):
    server, complaint, _ = delivered()
    server.add_update("no-such-request", "closed", "?", update_id="stray")
    counts = updates.poll(default_endpoint(), now=timezone.now() + timedelta(minutes=1))
    assert counts["unknown"] == 1
    assert "no-such-request" in caplog.text
    complaint.refresh_from_db()
    assert complaint.state == CaseState.ESCALATED


def test_poll_falls_back_to_get_request_when_updates_are_unsupported(delivered):
    server, complaint, request_id = delivered()
    server.fail_next("updates", "404")
    server.requests[0].status = "closed"
    server.requests[0].status_notes = "已由街道处理。"
    updates.poll(default_endpoint(), now=timezone.now() + timedelta(minutes=1))
    complaint.refresh_from_db()
    assert complaint.state == CaseState.CLOSED
    assert complaint.events.filter(text="已由街道处理。").exists()


# --- the signed push ----------------------------------------------------------------------------


def push(client, body: bytes, secret=SECRET, timestamp=None, content_type="application/json", signature=None):
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    headers = {"HTTP_X_OPEN311_TIMESTAMP": timestamp}
    headers["HTTP_X_OPEN311_SIGNATURE"] = signature if signature is not None else sign(secret, timestamp, body)
    return client.post("/open311/updates", data=body, content_type=content_type, **headers)


def updates_json(request_id, *items):
    return json.dumps(
        {
            "service_request_updates": [
                {
                    "service_request_id": request_id,
                    "update_id": uid,
                    "status": status,
                    "updated_datetime": at.isoformat(),
                    "description": text,
                }
                for uid, status, at, text in items
            ]
        }
    ).encode()


@pytest.fixture
def push_enabled(settings):
    settings.OPEN311_PUSH_SECRET = SECRET


def test_push_and_poll_share_one_path_and_deduplicate(delivered, client, push_enabled):
    server, complaint, request_id = delivered()
    at = timezone.now() + timedelta(minutes=1)
    body = updates_json(request_id, ("p1", "in_progress", at, "已受理。"))

    first = push(client, body)
    assert first.status_code == 200 and first.json()["applied"] == 1
    second = push(client, body)
    assert second.json() == {"applied": 0, "duplicate": 1, "unknown": 0, "stale": 0}

    server.add_update(request_id, "in_progress", "已受理。", at=at, update_id="p1")
    assert updates.poll(default_endpoint(), now=at + timedelta(minutes=1))["duplicate"] == 1
    complaint.refresh_from_db()
    assert complaint.state == CaseState.IN_PROGRESS
    assert complaint.events.filter(city_update_id="default:p1").count() == 1


def test_push_accepts_xml(delivered, client, push_enabled):
    _, complaint, request_id = delivered()
    at = (timezone.now() + timedelta(minutes=1)).isoformat()
    body = (
        "<service_request_updates><request_update><update_id>x1</update_id>"
        f"<service_request_id>{request_id}</service_request_id><status>closed</status>"
        f"<updated_datetime>{at}</updated_datetime><description>已完成</description>"
        "</request_update></service_request_updates>"
    ).encode()
    assert push(client, body, content_type="text/xml").status_code == 200
    complaint.refresh_from_db()
    assert complaint.state == CaseState.CLOSED


def test_push_out_of_order_in_one_body(delivered, client, push_enabled):
    _, complaint, request_id = delivered()
    t0 = timezone.now()
    body = updates_json(
        request_id,
        ("b", "closed", t0 + timedelta(minutes=9), "完成"),
        ("a", "open", t0 + timedelta(minutes=1), ""),
    )
    assert push(client, body).json()["applied"] == 2
    complaint.refresh_from_db()
    assert complaint.state == CaseState.CLOSED
    assert list(complaint.events.filter(from_city=True).values_list("to_state", flat=True)) == ["dispatched", "closed"]


@pytest.mark.parametrize(
    ("kind", "status", "reason"),
    [
        ("bad_signature", 401, "bad signature"),
        ("wrong_secret", 401, "bad signature"),
        ("stale", 401, "5 minutes"),
        ("future", 401, "5 minutes"),
        ("no_headers", 400, "required"),
        ("not_a_number", 400, "Unix seconds"),
        ("unreadable", 400, "unreadable"),
    ],
)
def test_push_refuses_with_a_reason(city, client, push_enabled, kind, status, reason):
    body = updates_json("1000", ("z", "closed", timezone.now(), ""))
    now = int(time.time())
    if kind == "bad_signature":
        response = push(client, body, signature="0" * 64)
    elif kind == "wrong_secret":
        response = push(client, body, secret="another")
    elif kind == "stale":
        response = push(client, body, timestamp=str(now - 301))
    elif kind == "future":
        response = push(client, body, timestamp=str(now + 301))
    elif kind == "no_headers":
        response = client.post("/open311/updates", data=body, content_type="application/json")
    elif kind == "not_a_number":
        response = push(client, body, timestamp="yesterday")
    else:
        response = push(client, b"{not json")
    assert response.status_code == status
    assert reason in response.json()["error"]


def test_push_is_off_without_a_secret(city, client):
    assert client.post("/open311/updates", data=b"{}", content_type="application/json").status_code == 404


def nested(depth: int) -> bytes:
    return b'{"service_request_updates": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize(
    ("kind", "status", "reason"),
    [
        ("non_ascii_signature", 401, "bad signature"),
        ("latin1_signature", 401, "bad signature"),
        ("short_signature", 401, "bad signature"),
        ("non_ascii_timestamp", 400, "Unix seconds"),
        ("huge_timestamp", 400, "Unix seconds"),
        ("negative_timestamp", 400, "Unix seconds"),
        ("deep_json", 400, "nested too deeply"),
        ("huge_body", 400, "larger than"),
        ("not_utf8", 400, "unreadable"),
        ("json_not_a_list", 400, "unexpected JSON shape"),
    ],
)
def test_push_refuses_malformed_input_with_a_reason(city, client, push_enabled, kind, status, reason):
    body = updates_json("1000", ("z", "closed", timezone.now(), ""))
    if kind == "non_ascii_signature":
        response = push(client, body, signature="签名" * 32)
    elif kind == "latin1_signature":
        response = push(client, body, signature="é" * 64)
    elif kind == "short_signature":
        response = push(client, body, signature="abc")
    elif kind == "non_ascii_timestamp":
        response = push(client, body, timestamp="١٧٠٠٠٠٠٠٠٠")  # Arabic-Indic digits, which int() would take
    elif kind == "huge_timestamp":
        response = push(client, body, timestamp="9" * 400)
    elif kind == "negative_timestamp":
        response = push(client, body, timestamp="-1")
    elif kind == "deep_json":
        response = push(client, nested(100_000))
    elif kind == "huge_body":
        response = push(client, b'{"x": "' + b"x" * (3 * 1024 * 1024) + b'"}')
    elif kind == "not_utf8":
        response = push(client, b"\xff\xfe{}")
    else:
        response = push(client, b"42")
    assert response.status_code == status
    assert reason in response.json()["error"]


def test_push_reads_deeply_nested_xml_without_harm(city, client, push_enabled):
    """expat has no depth limit and the reader looks only at the first two levels: nothing to apply."""
    response = push(client, b"<a>" * 100_000 + b"</a>" * 100_000, content_type="text/xml")
    assert response.status_code == 200
    assert response.json() == {"applied": 0, "duplicate": 0, "unknown": 0, "stale": 0}


def test_push_drops_overlong_ids_and_reads_dates_without_a_zone(delivered, client, push_enabled):
    _, complaint, request_id = delivered()
    later = (timezone.localtime() + timedelta(minutes=1)).replace(tzinfo=None, microsecond=0)
    body = json.dumps(
        [
            {"service_request_id": request_id, "update_id": "u" * 5000, "status": "closed", "updated_datetime": "x"},
            {
                "service_request_id": request_id,
                "update_id": "u" * 5000,
                "status": "closed",
                "updated_datetime": later.isoformat(),
            },
            {
                "service_request_id": request_id,
                "update_id": "bad-date",
                "status": "closed",
                "updated_datetime": "2026-02-30T10:00:00",
            },
            {
                "service_request_id": request_id,
                "update_id": "naive",
                "status": "in_progress",
                "updated_datetime": later.isoformat(),
            },
        ]
    ).encode()
    response = push(client, body)
    assert response.status_code == 200
    assert response.json()["applied"] == 1
    complaint.refresh_from_db()
    assert complaint.state == CaseState.IN_PROGRESS
