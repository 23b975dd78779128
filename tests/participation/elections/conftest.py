from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone, translation

from participation.deliberations import append_only
from participation.elections import phases
from participation.elections.models import Candidate, Election, Post
from tests.participation.deliberations.conftest import make_topic, resident  # noqa: F401  (verified residents with homes; topics)

# Offsets in days of (voter_list_from, nominations_from, acceptance_from, candidates_from, voting_starts, voting_ends)
PHASES = {
    "announcement": (1, 2, 3, 4, 5, 6),
    "voter_list": (-1, 2, 3, 4, 5, 6),
    "nomination": (-2, -1, 3, 4, 5, 6),
    "voting": (-5, -4, -3, -2, -1, 1),
    "closed": (-6, -5, -4, -3, -2, -1),
}


@pytest.fixture(autouse=True)
def _postgres_only(request):
    if request.node.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent connections; set DATABASE_URL=postgres://...")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def make_election():
    """make_election(community, phase="voting", posts={"主任": 1, "委员": 2}, **fields) -> Election
    (voter list built from the community's verified memberships when the phase has published it)."""

    def make(community, phase="voting", posts=None, **fields):
        now = timezone.now()
        dates = [now + timedelta(days=d) for d in PHASES[phase]]
        fields.setdefault("title", "第十二届居民委员会选举")
        fields.setdefault("announcement", "选举公告")
        election = Election.objects.create(
            community=community,
            announced_at=now - timedelta(days=10),
            voter_list_from=dates[0],
            nominations_from=dates[1],
            acceptance_from=dates[2],
            candidates_from=dates[3],
            voting_starts=dates[4],
            voting_ends=dates[5],
            **fields,
        )
        for i, (name, seats) in enumerate((posts or {"主任": 1, "委员": 2}).items()):
            Post.objects.create(election=election, name=name, seats=seats, sort_order=i)
        return election

    return make


@pytest.fixture
def stand():
    """stand(election, post_name, user) -> an accepted candidate."""

    def make(election, post_name, user, statement=""):
        post = election.posts.get(name=post_name)
        return Candidate.objects.create(
            election=election, post=post, person=user, status=Candidate.Status.ACCEPTED, statement=statement
        )

    return make


def publish_list(election):
    phases.build_voter_list(election)
    election.refresh_from_db()
    return election


def close(election):
    now = timezone.now()
    Election.objects.filter(pk=election.pk).update(
        voting_starts=now - timedelta(days=2), voting_ends=now - timedelta(seconds=1)
    )
    election.refresh_from_db()
    return election


@contextmanager
def tampering():
    """Lift the append-only triggers of every ballot box (as someone with database rights could)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            for sql in append_only.drop_statements(connection.vendor, append_only.REGISTERED):
                cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
            else:
                for sql in append_only.create_statements(connection.vendor, append_only.REGISTERED):
                    cursor.execute(sql)
