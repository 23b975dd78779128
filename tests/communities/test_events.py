"""Event sign-up: logged-in residents only, a waiting list when full, cancel promotes the first waiting."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.events import signups
from communities.events.models import EventSignup
from tests.membership import members_of

from .helpers import add_event

Status = EventSignup.Status


@pytest.fixture
def make_user(make_user, city):
    """Residents of a1 sign up (signing up needs a membership: portal.accounts.actions)."""
    return members_of(make_user, city["a1"])


@pytest.fixture
def event(city):
    return add_event(city["a1"], "社区义诊", capacity=2)


def signup_url(event, city):
    return event.relative_url(city["a1"].site) + "signup/"


def post(host_client, url, user, action="join"):
    return host_client("a1.localhost", user).post(url, {"action": action})


def status_of(event, user):
    return EventSignup.objects.get(event=event, user=user).status


def statuses(event, users):
    return [status_of(event, user) for user in users]


def test_residents_sign_up_until_full_then_wait(city, event, host_client, make_user):
    url = signup_url(event, city)
    first, second, third = make_user(), make_user(), make_user()
    for user in (first, second, third):
        response = post(host_client, url, user)
        assert response.status_code == 302
        assert response["Location"] == event.relative_url(city["a1"].site)
    assert [status_of(event, u) for u in (first, second, third)] == [Status.CONFIRMED, Status.CONFIRMED, Status.WAITING]


def test_the_page_tells_the_resident_where_they_stand(city, event, host_client, make_user):
    url = signup_url(event, city)
    users = [make_user() for _ in range(3)]
    for user in users:
        post(host_client, url, user)
    page = host_client("a1.localhost", users[2]).get(event.relative_url(city["a1"].site))
    assert page.context["my_status"] == Status.WAITING
    assert page.context["confirmed_count"] == 2 and page.context["waiting_count"] == 1


def signup_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries if "community_events_eventsignup" in q["sql"]]


@override_settings(PORTAL_PAGE_CACHE_SECONDS=0)
def test_the_places_and_the_residents_standing_are_one_query(city, event, host_client, make_user):
    url, users = event.relative_url(city["a1"].site), [make_user() for _ in range(4)]
    for user in users[:3]:
        post(host_client, signup_url(event, city), user)
    post(host_client, signup_url(event, city), users[0], action="cancel")
    for user, standing in [(users[0], 'value="join"'), (users[2], 'value="cancel"'), (users[3], 'value="join"')]:
        client = host_client("a1.localhost", user)
        assert len(signup_queries(client, url)) == 1
        page = client.get(url)
        assert standing in page.content.decode()
        assert (page.context["confirmed_count"], page.context["waiting_count"]) == (2, 0)
    assert page.context["my_status"] is None  # users[3] never signed up
    assert host_client("a1.localhost", users[0]).get(url).context["my_status"] is None  # cancelled
    assert len(signup_queries(host_client("a1.localhost"), url)) == 1


def test_signing_up_twice_keeps_one_signup(city, event, host_client, make_user):
    url, user = signup_url(event, city), make_user()
    post(host_client, url, user)
    post(host_client, url, user)
    assert EventSignup.objects.filter(event=event, user=user).count() == 1


def test_cancel_promotes_the_first_on_the_waiting_list(city, event, host_client, make_user):
    url = signup_url(event, city)
    users = [make_user() for _ in range(4)]
    for user in users:
        post(host_client, url, user)
    assert [status_of(event, u) for u in users] == [Status.CONFIRMED] * 2 + [Status.WAITING] * 2
    post(host_client, url, users[0], action="cancel")
    assert statuses(event, users) == [Status.CANCELLED, Status.CONFIRMED, Status.CONFIRMED, Status.WAITING]


def test_cancelling_a_waiting_signup_promotes_nobody(city, event, host_client, make_user):
    url = signup_url(event, city)
    users = [make_user() for _ in range(4)]
    for user in users:
        post(host_client, url, user)
    post(host_client, url, users[2], action="cancel")
    assert statuses(event, users) == [Status.CONFIRMED, Status.CONFIRMED, Status.CANCELLED, Status.WAITING]


def test_signing_up_again_after_cancelling_goes_to_the_back(city, event, host_client, make_user):
    url = signup_url(event, city)
    users = [make_user() for _ in range(3)]
    for user in users:
        post(host_client, url, user)
    post(host_client, url, users[0], action="cancel")
    post(host_client, url, users[0])
    assert status_of(event, users[0]) == Status.WAITING
    assert status_of(event, users[2]) == Status.CONFIRMED


def test_no_capacity_means_no_limit(city, host_client, make_user):
    event = add_event(city["a1"], "广场舞", capacity=0)
    url = signup_url(event, city)
    users = [make_user() for _ in range(5)]
    for user in users:
        post(host_client, url, user)
    assert {status_of(event, u) for u in users} == {Status.CONFIRMED}


def test_anonymous_is_sent_to_login(city, event, host_client):
    response = host_client("a1.localhost").post(signup_url(event, city), {"action": "join"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not EventSignup.objects.exists()


def test_get_on_signup_is_405(city, event, host_client, make_user):
    response = host_client("a1.localhost", make_user()).get(signup_url(event, city))
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_signup_closed_for_past_or_closed_events(city, host_client, make_user):
    past = add_event(
        city["a1"], "已结束活动", start=timezone.now() - timedelta(days=2), end=timezone.now() - timedelta(days=1)
    )
    closed = add_event(city["a1"], "停止报名活动", signup_open=False)
    user = make_user()
    for event in (past, closed):
        response = post(host_client, signup_url(event, city), user)
        assert response.status_code == 302
    assert not EventSignup.objects.exists()


on_sqlite = not settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.mark.postgres_only
@pytest.mark.skipif(on_sqlite, reason="needs PostgreSQL row locks; SQLite serialises every writer anyway")
@pytest.mark.connections(20)
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_signups_confirm_exactly_capacity(city, make_user):
    event = add_event(city["a1"], "限额活动", capacity=5)
    users = [make_user() for _ in range(20)]
    barrier = threading.Barrier(len(users))
    errors = []

    def sign_up(user):
        try:
            barrier.wait()
            signups.sign_up(event, user)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert EventSignup.objects.filter(event=event, status=Status.CONFIRMED).count() == 5
    assert EventSignup.objects.filter(event=event, status=Status.WAITING).count() == 15
