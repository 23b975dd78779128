"""Vote casting rate through the vote endpoint against a raw single-row INSERT + COMMIT loop.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> python -m tests.benchmarks.bench_votes [votes]

Builds a throw-away test database (test_<db>), so it never touches real data. The endpoint is
driven in-process through Django's test client: the whole middleware, session, view, row lock,
nonce, roll and ballot inserts, but no socket. Voters vote one after another, like the raw loop;
logging in and fetching the form (with its nonce) happen before the clock starts.
"""

import os
import re
import sys
import time


def main(votes: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(votes)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(votes: int) -> None:
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from participation.deliberations.models import Ballot, Option, Topic
    from tests.conftest import build_city

    community = build_city()["a1"]
    now = timezone.now()
    topic = Topic.objects.create(
        community=community,
        title="bench",
        description="bench",
        discussion_starts=now - timedelta(days=2),
        voting_starts=now - timedelta(days=1),
        voting_ends=now + timedelta(days=1),
    )
    options = [Option.objects.create(topic=topic, label=label).pk for label in ("yes", "no")]
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench{i}", password="x") for i in range(votes)]
    )
    from portal.accounts.models import Membership

    Membership.objects.bulk_create(  # only verified residents of the community may vote
        [Membership(user=user, community=community, status=Membership.Status.VERIFIED) for user in users]
    )
    url = f"/deliberations/{topic.pk}/vote/"

    voters = []
    for i, user in enumerate(users):  # log in and fetch the vote form (with its nonce) before the clock starts
        client = Client(HTTP_HOST="a1.localhost", HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        page = client.get(f"/deliberations/{topic.pk}/").content.decode()
        nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
        voters.append((client, {"option": options[i % 2], "nonce": nonce}))
    started = time.perf_counter()
    for client, data in voters:
        assert client.post(url, data).status_code == 200
    endpoint_seconds = time.perf_counter() - started
    assert Ballot.objects.filter(topic=topic).count() == votes

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_raw (id integer PRIMARY KEY, option integer NOT NULL)")
    started = time.perf_counter()
    for i in range(votes):
        with connection.cursor() as cursor:  # autocommit: every INSERT is its own transaction
            cursor.execute("INSERT INTO bench_raw (id, option) VALUES (%s, %s)", [i, i % 2])
    raw_seconds = time.perf_counter() - started

    vendor = connection.vendor
    endpoint_rate, raw_rate = votes / endpoint_seconds, votes / raw_seconds
    print(f"database: {vendor}; votes: {votes}")
    print(f"vote POST through the endpoint (in-process): {endpoint_rate:8.1f} votes/s")
    print(f"raw INSERT + COMMIT:                         {raw_rate:8.1f} rows/s")
    print(f"ratio: {100 * endpoint_rate / raw_rate:.1f}% of the raw rate")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
