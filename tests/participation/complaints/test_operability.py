"""Operating the city link: the delivery policy in one place with safe bounds, failures by kind, and the
staff overview per endpoint (queue depth, oldest waiting, failures in the last day, duplicates)."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from participation.complaints import delivery
from participation.complaints.checks import open311_policy
from participation.complaints.conf import POLICY, delivery_policy, policy_problems
from participation.complaints.models import CityDuplicate, DeliveryFailure, Outbox

from .conftest import closed_port_url


def test_the_defaults_are_safe():
    assert policy_problems() == [] and open311_policy(None) == []
    assert set(delivery_policy()) == set(POLICY)


@pytest.mark.parametrize("key", list(POLICY))
def test_every_setting_out_of_bounds_is_an_error_naming_it(settings, key):
    name, low, high = POLICY[key]
    for bad in (low - 1 if low >= 1 else -1, high * 2, "ten"):
        setattr(settings, name, bad)
        errors = open311_policy(None)
        assert [e.id for e in errors] == ["complaints.E001"] and name in errors[0].msg, (name, bad)


def test_a_cap_below_the_base_is_an_error(settings):
    settings.OPEN311_BACKOFF_BASE_SECONDS = 600
    settings.OPEN311_BACKOFF_CAP_SECONDS = 120
    assert ["OPEN311_BACKOFF_CAP_SECONDS" in e.msg for e in open311_policy(None)] == [True]


def test_backoff_and_batch_size_follow_the_settings(settings, fake_city, point_at, escalated):
    settings.OPEN311_BACKOFF_BASE_SECONDS = 2
    settings.OPEN311_BACKOFF_CAP_SECONDS = 10
    rng = random.Random(1)
    assert max(delivery.backoff(1, rng).total_seconds() for _ in range(200)) <= 2
    assert max(delivery.backoff(30, rng).total_seconds() for _ in range(200)) <= 10

    point_at(fake_city())
    settings.OPEN311_BATCH_SIZE = 2
    now = timezone.now()
    for _ in range(3):
        escalated(now=now)
    assert delivery.process_due(now=now) == {"delivered": 2}
    assert delivery.process_due(now=now) == {"delivered": 1}


@pytest.mark.parametrize(
    "fault,kind",
    [
        ("500", "server_error"),
        ("timeout", "timeout"),
        ("drop", "dropped"),
        ("malformed", "unreadable"),
        ("400", "rejected"),
        ("403", "forbidden"),
        ("404", "not_found"),
        ("refused", "refused"),
    ],
)
def test_each_failure_is_recorded_by_kind(fake_city, point_at, escalated, fault, kind):
    server = fake_city()
    now = timezone.now()
    _, outbox = escalated(now=now)
    if fault == "refused":
        point_at(closed_port_url())
    else:
        point_at(server, timeout=0.5)
        server.fail_next("post", fault)
    delivery.process_due(now=now)
    server.release.set()
    [failure] = DeliveryFailure.objects.all()
    assert (failure.outbox_id, failure.kind, failure.endpoint_key) == (outbox.pk, kind, "default")


@pytest.fixture
def worker_client(client, make_user, city):
    def login(community="a1"):
        user = make_user()
        user.groups.add(city[community].editors_group)
        client.force_login(user)
        return client

    return login


def test_staff_see_the_city_link_per_endpoint_in_their_communities(
    fake_city, point_at, escalated, worker_client, settings, make_user, client
):
    server = fake_city()
    point_at(server)
    now = timezone.now()
    waiting, _ = escalated(now=now - timedelta(hours=3))
    escalated(now=now - timedelta(hours=1))
    Outbox.objects.update(next_try_at=now + timedelta(hours=1))  # both wait for their next try
    delivered, outbox = escalated(now=now)
    delivery.process_due(now=now)
    server.fail_next("post", "500")
    escalated(now=now, community="b1")  # another community's: not counted for a1's workers
    delivery.process_due(now=now)
    DeliveryFailure.objects.create(outbox=outbox, endpoint_key="default", kind="timeout", at=now - timedelta(days=2))
    DeliveryFailure.objects.create(outbox=outbox, endpoint_key="default", kind="timeout", at=now)
    CityDuplicate.objects.create(complaint=delivered, endpoint_key="default", service_request_id="x", source="listing")

    page = worker_client("a1").get("/admin/complaints/city-link/")
    assert page.status_code == 200
    [row] = page.context["rows"]
    assert row["key"] == "default" and row["queued"] == 2 and row["oldest_complaint"] == waiting.pk
    assert [(f["kind"], f["n"]) for f in row["failures"]] == [("timeout", 1)], "only the last day's, only a1's"
    assert (row["copies"], row["unreported"]) == (1, 1)
    assert f"#{waiting.pk}" in page.text

    other = worker_client("b1").get("/admin/complaints/city-link/").context["rows"][0]
    assert other["queued"] == 1 and other["copies"] == 0
    assert [(f["kind"], f["n"]) for f in other["failures"]] == [("server_error", 1)]

    client.force_login(make_user())
    assert client.get("/admin/complaints/city-link/").status_code in (302, 403)


def test_the_daily_digest_forgets_failures_older_than_a_week(escalated):
    from participation.complaints.digest import send_stuck_digest

    now = timezone.now()
    _, outbox = escalated(now=now)
    DeliveryFailure.objects.create(outbox=outbox, kind="timeout", at=now - timedelta(days=8))
    kept = DeliveryFailure.objects.create(outbox=outbox, kind="timeout", at=now - timedelta(days=6))
    send_stuck_digest(now)
    assert list(DeliveryFailure.objects.all()) == [kept]
