"""Who may vote on a topic, under which key, with what weight: the ONE place that decides it.

Everything else (casting, the paper ballot, the tally) asks `electorate_for(topic)` and nothing else.

Today's implementation, `RegisterElectorate`, uses only what exists now: accounts and the
per-topic `VoterRegister` that workers fill in the admin. When resident memberships and
verification land in portal.accounts, a `MembershipElectorate` with the same four methods
replaces it in `electorate_for` (verified residents of topic.community; the membership's
household as the voter key; its roles for representatives and homeowners; the household's floor
area as weight; the verified birth date for min_age). The register can then stay as a worker's
override or go.
"""

from decimal import Decimal
from typing import Protocol

from django.db.models import Max

from .models import Topic, VoterRegister


class Electorate(Protocol):
    def is_eligible(self, user, topic: Topic) -> bool: ...

    def voter_key(self, user, topic: Topic) -> str:
        """The person, or the household where one vote per household applies."""

    def weight(self, user, topic: Topic) -> Decimal:
        """The floor area that counts for a double majority (0 where none is known)."""

    def eligible_totals(self, topic: Topic) -> tuple[int, Decimal]:
        """(headcount, floor area) of everyone who may vote: the base of quorum and double majority."""


# Electorates where only people a worker registered may vote.
REGISTER_ONLY = {Topic.Electorate.HOUSEHOLD, Topic.Electorate.REPRESENTATIVES, Topic.Electorate.HOMEOWNERS}
# Electorates where a household, not a person, has the vote.
BY_HOUSEHOLD = {Topic.Electorate.HOUSEHOLD, Topic.Electorate.HOMEOWNERS}


class RegisterElectorate:
    """Interim rules.

    * "all": any active logged-in account, unless the worker filled a register for the topic (or set
      a minimum age): then only registered accounts.
    * households, representatives, homeowners: only registered accounts.
    * voter key: the account, or the register's household for households and homeowners.
    * weight and totals: from the register.
    """

    def __init__(self):
        self._rows = {}

    def _row(self, user, topic):
        if not getattr(user, "is_authenticated", False):
            return None
        if (user.pk, topic.pk) not in self._rows:
            self._rows[user.pk, topic.pk] = VoterRegister.objects.filter(topic=topic, user=user).first()
        return self._rows[user.pk, topic.pk]

    def _register_required(self, topic) -> bool:
        return topic.electorate in REGISTER_ONLY or topic.min_age is not None or topic.register.exists()

    def is_eligible(self, user, topic) -> bool:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if not self._register_required(topic):
            return True
        row = self._row(user, topic)
        if row is None:
            return False
        return not (topic.electorate in BY_HOUSEHOLD and not row.household_key)

    def voter_key(self, user, topic) -> str:
        if topic.electorate in BY_HOUSEHOLD:
            return f"household:{self._row(user, topic).household_key}"
        return f"user:{user.pk}"

    def weight(self, user, topic) -> Decimal:
        row = self._row(user, topic)
        return row.floor_area if row else Decimal(0)

    def eligible_totals(self, topic) -> tuple[int, Decimal]:
        rows = VoterRegister.objects.filter(topic=topic)
        if topic.electorate in BY_HOUSEHOLD:
            per_household = rows.exclude(household_key="").values("household_key").annotate(area=Max("floor_area"))
            return len(per_household), sum((h["area"] for h in per_household), Decimal(0))
        return rows.count(), sum((r.floor_area for r in rows), Decimal(0))


def electorate_for(topic: Topic) -> Electorate:
    return RegisterElectorate()
