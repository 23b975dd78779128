"""The delivery engine against a real Open311 server on loopback, failing in every way it can."""

import random
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from participation.complaints import delivery, open311, updates
from participation.complaints.conf import default_endpoint
from participation.complaints.models import CaseState, Complaint, Outbox, ServiceCategory

from .conftest import closed_port_url

# The two ways a city can keep a complaint from becoming two events after an ambiguous failure.
CITY_MODES = {
    "dedupe": {"dedupe": True, "lookup": False},
    "lookup": {"dedupe": False, "lookup": True},
    "standard": {"dedupe": False, "lookup": False},  # plain GeoReport v2: only the marker and the window
}


def drive(outbox_ids, now, rng=None, max_rounds=5000, tick=timedelta(minutes=1)):
    """Run the engine with a controllable clock: move at least a tick on, or to the next due row,
    process everything due, repeat."""
    for _ in range(max_rounds):
        waiting = Outbox.objects.filter(
            pk__in=outbox_ids, state__in=[Outbox.State.PENDING, Outbox.State.AWAITING_TOKEN, Outbox.State.IN_FLIGHT]
        )
        if not waiting.exists():
            return now
        next_due = min(row.next_try_at if row.state != Outbox.State.IN_FLIGHT else row.lease_until for row in waiting)
        now = max(now + tick, next_due)
        delivery.process_due(now=now, limit=1000, rng=rng)
    raise AssertionError("the engine did not settle")


def test_success_sends_the_real_wire_format(fake_city, point_at, escalated, categories):
    server = fake_city(fmt="xml")
    point_at(server)
    categories["noise"].department = "x"
    complaint, outbox = escalated(latitude="31.230416", longitude="121.473701", contact_phone="13800138000")

    assert delivery.process_due(now=timezone.now()) == {"delivered": 1}

    outbox.refresh_from_db()
    assert outbox.state == Outbox.State.DELIVERED
    assert outbox.service_request_id == server.requests[0].service_request_id
    post = server.posts[0]
    assert post["idempotency_key"] == str(outbox.idempotency_key)
    assert post["fields"]["attribute[portal_id]"] == complaint.portal_id
    assert post["fields"]["description"] == f"{complaint.description}\n[portal:{complaint.portal_id}]"
    assert post["fields"]["service_code"] == "noise"
    assert post["fields"]["lat"] == "31.230416" and post["fields"]["long"] == "121.473701"
    assert post["fields"]["api_key"] == "test-key"
    assert "phone" not in post["fields"], "contact details only go to the city when the resident agreed"
    complaint.refresh_from_db()
    assert complaint.state == CaseState.ESCALATED


def test_contact_goes_to_the_city_only_with_consent(fake_city, point_at, escalated):
    server = fake_city()
    point_at(server)
    escalated(contact_phone="13800138000", share_contact_with_city=True)
    delivery.process_due(now=timezone.now())
    assert server.posts[0]["fields"]["phone"] == "13800138000"


FAULTS = ["500", "400", "timeout", "drop", "malformed", "token", "refused"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("mode", list(CITY_MODES))
@pytest.mark.parametrize("fault", FAULTS)
def test_each_failure_ends_as_exactly_one_request(fake_city, point_at, escalated, host_client, fault, mode, fmt):
    server = fake_city(fmt=fmt, **CITY_MODES[mode])
    now = timezone.now()
    complaint, outbox = escalated(now=now)
    if fault == "refused":
        point_at(closed_port_url(), fmt=fmt, lookup=server.lookup)
    else:
        point_at(server, timeout=0.5 if fault == "timeout" else 5.0)
        server.fail_next("post", fault)

    first = delivery.process_due(now=now)
    assert "delivered" not in first
    outbox.refresh_from_db()
    assert outbox.state in (Outbox.State.PENDING, Outbox.State.AWAITING_TOKEN)
    assert outbox.attempts == 1
    if fault not in ("token", "refused", "400"):
        assert outbox.ambiguous, "a failure after sending must be treated as ambiguous"
    if fault == "refused":
        point_at(server)  # the city comes back
    server.release.set()  # a held ('timeout') answer may finish now

    drive([outbox.pk], now)

    outbox.refresh_from_db()
    assert outbox.state == Outbox.State.DELIVERED, outbox.last_error
    assert len(server.requests_for(complaint.portal_id)) == 1
    assert len(server.requests) == 1
    assert outbox.service_request_id == server.requests[0].service_request_id

    # The city's answer reaches the resident's own page.
    server.add_update(outbox.service_request_id, "in_progress", "已派单至城管执法队。")
    updates.poll(default_endpoint(), now=timezone.now() + timedelta(seconds=1))
    complaint.refresh_from_db()
    assert complaint.state == CaseState.IN_PROGRESS
    page = host_client("a1.localhost", complaint.reporter).get(f"/complaints/{complaint.reference}/")
    assert page.status_code == 200
    assert "已派单至城管执法队。" in page.text
    assert str(CaseState.IN_PROGRESS.label) in page.text or "处理中" in page.text


def test_403_dead_letters_at_once_and_staff_can_requeue(fake_city, point_at, escalated):
    server = fake_city()
    point_at(server, api_key="wrong-key")
    now = timezone.now()
    complaint, outbox = escalated(now=now)

    assert delivery.process_due(now=now) == {"dead": 1}
    outbox.refresh_from_db()
    assert outbox.state == Outbox.State.DEAD and "403" in outbox.last_error
    assert delivery.process_due(now=now + timedelta(days=1)) == {}, "a dead letter is never retried on its own"

    point_at(server)  # the operator fixes the key
    delivery.requeue(outbox, now=now + timedelta(days=1))
    assert delivery.process_due(now=now + timedelta(days=1)) == {"delivered": 1}
    assert len(server.requests_for(complaint.portal_id)) == 1


def test_404_on_a_category_resyncs_the_catalogue_and_retries(fake_city, point_at, escalated, categories):
    server = fake_city()
    point_at(server)
    server.services = [s for s in server.services if s["service_code"] != "noise"]
    now = timezone.now()
    _, outbox = escalated(now=now)

    assert delivery.process_due(now=now) == {"retry": 1}
    categories["noise"].refresh_from_db()
    assert categories["noise"].retired, "the resync marks a vanished category retired"
    assert ServiceCategory.objects.filter(service_code="road", from_city=True).exists()
    outbox.refresh_from_db()
    assert outbox.state == Outbox.State.PENDING and "404" in outbox.last_error


def test_gives_up_after_the_attempt_budget(fake_city, point_at, escalated, settings):
    settings.OPEN311_MAX_ATTEMPTS = 3
    server = fake_city()
    point_at(server)
    server.fail_next("post", "500", "500", "500", "500")
    now = timezone.now()
    complaint, outbox = escalated(now=now)
    drive([outbox.pk], now)
    outbox.refresh_from_db()
    assert outbox.state == Outbox.State.DEAD
    assert outbox.attempts == 3


def test_gives_up_after_48_hours(fake_city, point_at, escalated):
    server = fake_city()
    point_at(server)
    now = timezone.now()
    _, outbox = escalated(now=now)
    server.fail_next("post", "400")
    delivery.process_due(now=now)
    server.fail_next("post", "400")
    assert delivery.process_due(now=now + timedelta(hours=48, seconds=1)) == {"dead": 1}


def test_backoff_grows_with_full_jitter_and_is_capped():
    rng = random.Random(7)
    for attempts, ceiling in [(1, 60), (2, 120), (5, 960), (12, 6 * 3600), (40, 6 * 3600)]:
        delays = [delivery.backoff(attempts, rng).total_seconds() for _ in range(200)]
        assert min(delays) >= 0 and max(delays) <= ceiling
        assert max(delays) > ceiling * 0.8, "full jitter spreads over the whole range"


def test_a_crashed_workers_row_is_reclaimed_after_its_lease(fake_city, point_at, escalated):
    server = fake_city(dedupe=False, lookup=True)
    point_at(server)
    now = timezone.now()
    complaint, outbox = escalated(now=now)
    # A worker claims the row, sends the request, and dies before it reads the answer.
    [claimed] = delivery.claim(now)
    with pytest.raises(open311.Ambiguous):
        server.fail_next("post", "drop")
        open311.Client(default_endpoint()).post_request(delivery.request_fields(complaint), str(outbox.idempotency_key))
    assert len(server.requests_for(complaint.portal_id)) == 1
    assert delivery.process_due(now=now + timedelta(seconds=30)) == {}, "the lease still holds"

    later = claimed.lease_until + timedelta(seconds=1)
    assert delivery.process_due(now=later) == {"delivered": 1}
    outbox.refresh_from_db()
    assert outbox.service_request_id == server.requests[0].service_request_id
    assert len(server.requests_for(complaint.portal_id)) == 1, "the re-claim looked the request up first"


def test_a_worker_that_lost_its_lease_cannot_overwrite(fake_city, point_at, escalated):
    server = fake_city()
    point_at(server)
    now = timezone.now()
    _, outbox = escalated(now=now)
    [slow] = delivery.claim(now)
    [fast] = delivery.claim(now + timedelta(minutes=10))  # the slow worker's lease has expired
    assert delivery.attempt(fast, now) == "delivered"
    server.fail_next("post", "500")
    delivery.attempt(slow, now)
    outbox.refresh_from_db()
    assert outbox.state == Outbox.State.DELIVERED and outbox.last_error == ""


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_claim_the_same_row(escalated):
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED row claims need PostgreSQL; SQLite serialises whole transactions")
    now = timezone.now()
    # In autocommit the on-commit delivery runs at once, finds no endpoint and defers the row 5 minutes.
    ids = {escalated(now=now)[1].pk for _ in range(40)}
    later = now + timedelta(minutes=10)
    barrier = threading.Barrier(4)
    claimed: list[list[int]] = []
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            claimed.append([row.pk for row in delivery.claim(later, limit=15)])
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    flat = [pk for batch in claimed for pk in batch]
    assert len(flat) == len(set(flat)), "a row was claimed twice"
    assert set(flat) == ids
    assert len(claimed) == 4 and all(len(batch) <= 15 for batch in claimed)


@pytest.mark.parametrize("mode", ["dedupe", "lookup"])
def test_fault_injection_500_complaints(fake_city, point_at, escalated, mode, settings):
    server = fake_city(**CITY_MODES[mode])
    point_at(server)
    server.random_faults = (random.Random(20261125), 0.30, 0.10)
    now = timezone.now()
    made = [escalated(now=now) for _ in range(500)]

    drive([outbox.pk for _, outbox in made], now, rng=random.Random(1))

    assert Outbox.objects.filter(state=Outbox.State.DEAD).count() == 0
    assert Outbox.objects.filter(state=Outbox.State.DELIVERED).count() == 500
    for complaint, outbox in made:
        on_server = server.requests_for(complaint.portal_id)
        assert len(on_server) == 1, f"{complaint.portal_id} is on the server {len(on_server)} times"
        outbox.refresh_from_db()
        assert outbox.service_request_id == on_server[0].service_request_id
    assert len(server.requests) == 500
    assert len(server.posts) > 500, "the faults did force re-sends"
    assert Complaint.objects.filter(state=CaseState.ESCALATED).count() == 500


# --- the lease: one row at a time, sized from the client timeout, renewed and checked before each call ---


def test_the_lease_is_sized_from_the_client_timeout(fake_city, point_at, escalated, settings):
    server = fake_city()
    settings.OPEN311_LEASE_SECONDS = 1
    now = timezone.now()
    _, outbox = escalated(now=now)
    point_at(server, timeout=20.0)
    [row] = delivery.claim(now)
    assert row.lease_until - now >= timedelta(seconds=3 * 20), "a lease shorter than one call would be lost mid-call"
    settings.OPEN311_LEASE_SECONDS = 600
    delivery.renew_lease(row, lambda: now)
    row.refresh_from_db()
    assert row.lease_until - now == timedelta(seconds=600), "the setting may lengthen the lease"


def test_claims_take_one_row_each(fake_city, point_at, escalated):
    point_at(fake_city())
    now = timezone.now()
    for _ in range(3):
        escalated(now=now)
    assert len(delivery.claim(now)) == 1


def test_a_row_taken_over_is_not_sent(fake_city, point_at, escalated):
    server = fake_city()
    point_at(server)
    now = timezone.now()
    _, outbox = escalated(now=now)
    [mine] = delivery.claim(now)
    # Another worker takes the row over (as after an expired lease) before this one calls the city.
    Outbox.objects.filter(pk=outbox.pk).update(lease_id=uuid.uuid4())
    assert delivery.attempt(mine, now) == "lease_lost"
    assert server.posts == [], "the lease is checked before sending"
    outbox.refresh_from_db()
    assert outbox.state == Outbox.State.IN_FLIGHT and outbox.attempts == 0, "the owner's record is left alone"


def test_the_lease_is_renewed_before_each_call(fake_city, point_at, escalated, settings):
    server = fake_city(dedupe=False, lookup=True)
    point_at(server, timeout=1.0)
    settings.OPEN311_LEASE_SECONDS = 1
    now = timezone.now()
    complaint, outbox = escalated(now=now)
    Outbox.objects.filter(pk=outbox.pk).update(ambiguous=True)  # so the attempt looks the request up first
    [row] = delivery.claim(now)
    seen = []
    renew = delivery.renew_lease

    def spy(row, clock):
        held = renew(row, clock)
        seen.append(Outbox.objects.get(pk=row.pk).lease_until)
        return held

    clock = iter([now + timedelta(seconds=s) for s in range(0, 100, 30)])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(delivery, "renew_lease", spy)
        assert delivery.attempt(row, now, clock=lambda: next(clock)) == "delivered"
    lease = timedelta(seconds=3 + 5)
    ticks = {now + timedelta(seconds=s) for s in range(0, 100, 30)}
    assert len(seen) == 3, "the extension lookup, the window listing, then the send: each renews the lease first"
    assert seen == sorted(set(seen)) and all(until - lease in ticks for until in seen), "renewed from the clock's now"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_and_a_slow_city_send_no_row_twice(fake_city, point_at, escalated, settings):
    # In autocommit the on-commit delivery runs at once, finds no endpoint and defers the row 5 minutes.
    made = [escalated() for _ in range(12)]
    server = fake_city(dedupe=False, lookup=False)
    server.answer_delay = 0.3  # the city answers slowly
    point_at(server, timeout=1.0)
    settings.OPEN311_LEASE_SECONDS = 1  # the old shared 1 s batch lease expired long before the batch was sent
    Outbox.objects.update(next_try_at=timezone.now())
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    delivered_by: dict[int, int] = {0: 0, 1: 0}

    def worker(number):
        try:
            barrier.wait()
            deadline = time.monotonic() + 60
            # Both keep working until every row is delivered, so an expired lease would be taken over.
            while Outbox.objects.exclude(state=Outbox.State.DELIVERED).exists():
                assert time.monotonic() < deadline, "the workers did not finish"
                counts = delivery.process_due(limit=50)
                delivered_by[number] += counts.get("delivered", 0)
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert Outbox.objects.filter(state=Outbox.State.DELIVERED).count() == 12
    sent = [post["fields"]["attribute[portal_id]"] for post in server.posts]
    assert sorted(sent) == sorted(complaint.portal_id for complaint, _ in made), "each row was sent exactly once"
    assert sum(delivered_by.values()) == 12
    assert all(delivered_by.values()), f"both workers took rows: {delivered_by}"


# --- reconciliation on a standard endpoint: the marker in the description, the window listing ---


def test_the_marker_survives_a_description_at_the_limit(escalated):
    complaint, _ = escalated(description="长" * 4000)
    sent = delivery.request_fields(complaint)["description"]
    assert len(sent) == 4000
    assert open311.markers_in(sent) == [complaint.portal_id]


def test_markers_are_found_in_any_text():
    portal_id = str(uuid.uuid4())
    assert open311.markers_in(f"路灯不亮\n[portal:{portal_id}]") == [portal_id]
    assert open311.markers_in(f"[PORTAL:{portal_id.upper()}] 重复") == [portal_id]
    assert open311.markers_in("[portal:not-a-uuid]") == [] and open311.markers_in(None) == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_after_a_dropped_answer_the_window_listing_finds_the_request(fake_city, point_at, escalated, fmt):
    server = fake_city(fmt=fmt, dedupe=False, lookup=False)
    point_at(server)
    now = timezone.now()
    complaint, outbox = escalated(now=now, category=ServiceCategory.objects.get(service_code="road"))
    escalated(now=now)  # another complaint, of another service code, reaches the city too
    server.fail_next("post", "drop")
    assert delivery.process_due(now=now) == {"retry": 1, "delivered": 1}
    assert len(server.requests_for(complaint.portal_id)) == 1, "the dropped POST was recorded"

    assert delivery.process_due(now=now + timedelta(hours=7)) == {"delivered": 1}
    outbox.refresh_from_db()
    assert outbox.service_request_id == server.requests_for(complaint.portal_id)[0].service_request_id
    assert len(server.requests_for(complaint.portal_id)) == 1, "found by its marker, not sent again"
    [(stem, query)] = [get for get in server.gets if get[0] == "requests"]
    assert "attribute[portal_id]" not in query, "only the standard filters"
    assert query["service_code"] == "road"
    start, end = (timezone.datetime.fromisoformat(query[k]) for k in ("start_date", "end_date"))
    assert start <= now - timedelta(minutes=9) and start >= now - timedelta(minutes=11)
    assert end >= now + timedelta(hours=7) and end - start < timedelta(hours=8), "a narrow window"


def test_the_window_ignores_requests_without_our_marker(fake_city, point_at, escalated):
    server = fake_city(dedupe=False, lookup=False)
    point_at(server)
    now = timezone.now()
    complaint, outbox = escalated(now=now)
    # The city lists a request of the same code and time that is not ours (another channel).
    server.record({"service_code": "noise", "description": "另一渠道的投诉"}, "")
    Outbox.objects.filter(pk=outbox.pk).update(ambiguous=True)
    assert delivery.process_due(now=now) == {"delivered": 1}
    assert len(server.requests_for(complaint.portal_id)) == 1 and len(server.requests) == 2


def test_the_extension_is_the_faster_path_where_configured(fake_city, point_at, escalated, settings):
    server = fake_city(dedupe=False, lookup=True)
    point_at(server)
    now = timezone.now()
    complaint, outbox = escalated(now=now)
    server.fail_next("post", "drop")
    delivery.process_due(now=now)
    assert delivery.process_due(now=now + timedelta(hours=7)) == {"delivered": 1}
    assert [stem for stem, query in server.gets] == ["requests"]
    assert "attribute[portal_id]" in server.gets[0][1], "found by the extension: no window listing needed"
    assert len(server.requests) == 1


def test_lookups_are_configured_per_endpoint(settings):
    from participation.complaints.conf import default_endpoint, endpoint_for_district

    settings.OPEN311 = {"url": "http://city.example/v2", "lookup_by_portal_id": False, "lookups": None}
    settings.OPEN311_DISTRICTS = {
        "east": {"url": "http://east.example/v2", "lookup_by_portal_id": True},
        "west": {"url": "http://west.example/v2", "lookups": "portal_id"},
        "north": {"url": "http://north.example/v2", "lookups": []},
    }
    assert default_endpoint().lookups == ("window",)
    assert endpoint_for_district("east").lookups == ("portal_id", "window")
    assert endpoint_for_district("west").lookups == ("portal_id",)
    assert endpoint_for_district("north").lookups == ()


def test_without_any_lookup_a_resend_relies_on_the_city(fake_city, point_at, escalated, settings):
    server = fake_city(dedupe=True, lookup=False)
    point_at(server)
    settings.OPEN311 = {**settings.OPEN311, "lookups": []}
    now = timezone.now()
    complaint, outbox = escalated(now=now)
    server.fail_next("post", "drop")
    delivery.process_due(now=now)
    assert delivery.process_due(now=now + timedelta(hours=7)) == {"delivered": 1}
    assert server.gets == [] and len(server.posts) == 2 and len(server.requests) == 1


def test_goal_a_standard_city_that_fails_often_gets_every_complaint_once(fake_city, point_at, escalated):
    """Issue 13: a plain GeoReport v2 city (no de-duplication, no extension), 30% of calls answered
    500, 10% recorded then dropped, 10% answered after the client gave up. 500 complaints: none lost,
    none twice at the city, and every complaint ends in the state of its request at the city."""
    server = fake_city(dedupe=False, lookup=False)
    # The client gives up after 0.1 s and a late answer comes four timeouts after the request. Each injected
    # "timeout" costs the client timeout in wall time (about a hundred of them here); a real answer on loopback
    # takes milliseconds, and one that took longer would be one more ambiguous failure, which is what is tested.
    point_at(server, timeout=0.1)
    server.hold_seconds = 0.4
    now = timezone.now()
    made = [escalated(now=now) for _ in range(500)]
    server.random_faults = (random.Random(13), {"500": 0.30, "drop": 0.10, "timeout": 0.10})

    drive([outbox.pk for _, outbox in made], now, rng=random.Random(2))

    assert Outbox.objects.filter(state=Outbox.State.DEAD).count() == 0, "nothing dead-lettered"
    assert Outbox.objects.filter(state=Outbox.State.DELIVERED).count() == 500, "nothing lost"
    for complaint, outbox in made:
        on_server = server.requests_for(complaint.portal_id)
        assert len(on_server) == 1, f"{complaint.portal_id} is at the city {len(on_server)} times"
        outbox.refresh_from_db()
        assert outbox.service_request_id == on_server[0].service_request_id
    assert len(server.requests) == 500
    assert len(server.posts) > 550, "the faults did force re-sends"

    # The city works on its requests; the portal polls (through the same faults) until it has everything.
    outcomes = random.Random(3)
    for request in server.requests:
        request.status = outcomes.choice(["open", "in_progress", "closed", "not_responsible"])
        server.add_update(request.service_request_id, request.status, "处理进度")
    polled, later = None, timezone.now() + timedelta(seconds=1)
    for _ in range(50):
        try:
            polled = updates.poll(default_endpoint(), now=later)
            break
        except open311.Open311Error:
            continue
    assert polled and polled["applied"] == 500
    by_request = {r.service_request_id: r.status for r in server.requests}
    for complaint, outbox in made:
        complaint.refresh_from_db()
        assert complaint.state == updates.STATUS_TO_STATE[by_request[outbox.service_request_id]]
