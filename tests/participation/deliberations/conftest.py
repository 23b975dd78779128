from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone, translation

from participation.deliberations import append_only
from participation.deliberations.models import Option, Topic, VoterRegister
from portal.accounts.models import Building, Home, Membership
from tests.asgi_server import asgi_server  # noqa: F401  (the real ASGI server of the live-tally tests)


@pytest.fixture(autouse=True)
def _postgres_only(request):
    if request.node.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent connections; set DATABASE_URL=postgres://...")


PHASE_OFFSETS = {
    # (discussion_starts, voting_starts, voting_ends) relative to now, in days
    "proposal": (1, 2, 3),
    "discussion": (-1, 1, 2),
    "voting": (-2, -1, 1),
    "decided": (-3, -2, -1),
}


@pytest.fixture
def make_topic():
    """make_topic(community, phase="voting", options=("For", "Against"), **fields) -> Topic"""

    def make(community, phase="voting", options=("For", "Against"), abstain=False, **fields):
        now = timezone.now()
        discussion, voting, ends = (now + timedelta(days=d) for d in PHASE_OFFSETS[phase])
        fields.setdefault("title", "加装电梯")
        fields.setdefault("description", "是否在3号楼加装电梯")
        topic = Topic.objects.create(
            community=community,
            proposal_starts=now - timedelta(days=10),
            discussion_starts=discussion,
            voting_starts=voting,
            voting_ends=ends,
            **fields,
        )
        for i, label in enumerate(options):
            Option.objects.create(topic=topic, label=label, sort_order=i)
        if abstain:
            Option.objects.create(topic=topic, label="弃权", is_abstention=True, sort_order=len(options))
        return topic

    return make


@pytest.fixture
def resident(make_user):
    """resident(community, area=None, born=None, home=None, homeowner=False, representative=False, **user)
    -> an account with a verified membership of `community`, living in its own new home (or in `home`)."""
    rooms = iter(range(101, 10_000))

    def make(community, *, area=None, born=None, home=None, homeowner=False, representative=False, **user_fields):
        user = make_user(**user_fields)
        if home is None:
            building, _ = Building.objects.get_or_create(community=community, name="1号楼")
            home = Home.objects.create(
                community=community, building=building, room=str(next(rooms)), floor_area=area and Decimal(area)
            )
        Membership.objects.create(
            user=user,
            community=community,
            home=home,
            status=Membership.Status.VERIFIED,
            is_homeowner=homeowner,
            is_representative=representative,
            birth_date=born,
        )
        return user

    return make


@pytest.fixture
def register():
    def add(topic, user, household="", area="0"):
        return VoterRegister.objects.create(topic=topic, user=user, household_key=household, floor_area=Decimal(area))

    return add


def close_voting(topic):
    """Move the voting window into the past (as the clock would)."""
    now = timezone.now()
    Topic.objects.filter(pk=topic.pk).update(
        voting_starts=now - timedelta(days=2), voting_ends=now - timedelta(seconds=1)
    )
    topic.refresh_from_db()
    return topic


@pytest.fixture(autouse=True)
def _english():
    """Assertions read the English msgids; the site's default language is Chinese."""
    with translation.override("en"):
        yield


@contextmanager
def tampering():
    """What an attacker with database rights does: lift the append-only triggers, then put them back.
    PostgreSQL: triggers off for this transaction (session_replication_role); SQLite: drop and recreate."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            for sql in append_only.drop_statements(connection.vendor):
                cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
            else:
                for sql in append_only.create_statements(connection.vendor):
                    cursor.execute(sql)
