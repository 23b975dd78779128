"""Who may vote on a topic, under which key, with what weight: the ONE place that decides it.

Everything else (casting, the paper ballot, the tally) asks `electorate_for(topic)` and nothing else.

`MembershipElectorate` decides from the verified memberships of topic.community (portal.accounts):
persons vote as `user:<pk>`, households as `home:<pk>`; a household's weight is its home's floor area.
Age is known from the date of birth in the member's ID number (Membership.birth_date).

`RegisterElectorate` is kept only for topics made before memberships existed (Topic.legacy_register):
those keep the rules they were opened with, so nobody loses a vote they had.
"""

from decimal import Decimal
from typing import Protocol

from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from portal.accounts.membership import born_on_or_before, verified_membership
from portal.accounts.models import Home, Membership

from .models import Topic, VoterRegister


class Electorate(Protocol):
    def refusal(self, user, topic: Topic) -> str | None:
        """Why `user` may not vote on `topic`, for the voter; None when they may."""

    def is_eligible(self, user, topic: Topic) -> bool: ...

    def voter_key(self, user, topic: Topic) -> str:
        """The person, or the household where one vote per household applies."""

    def weight(self, user, topic: Topic) -> Decimal:
        """The floor area that counts for a double majority (0 where none is known)."""

    def eligible_user_ids(self, topic: Topic) -> list[int]:
        """The accounts that may vote on `topic` (every member of a household that may), as one query."""

    def eligible_totals(self, topic: Topic) -> tuple[int, Decimal]:
        """(headcount, floor area) of everyone who may vote: the base of quorum and double majority."""


# Electorates where a household, not a person, has the vote.
BY_HOUSEHOLD = {Topic.Electorate.HOUSEHOLD, Topic.Electorate.HOMEOWNERS}


def _active(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


class MembershipElectorate:
    """Verified residents of the topic's community, narrowed by the topic's electorate and minimum age.

    * all: every verified resident, one vote each;
    * household: one vote per home with a verified resident;
    * representatives: verified members flagged as resident representatives, one vote each;
    * homeowners: one vote per home with a verified member flagged as homeowner, weighted by floor area;
    * and, when the topic is limited to some buildings, only members whose home is in one of them.

    One indexed query per voter (their membership of the community, with its home), cached per instance.
    """

    def __init__(self):
        self._memberships = {}
        self._buildings = {}

    def buildings(self, topic) -> list:
        """The buildings the topic is limited to ([] for the whole community), cached per topic."""
        if topic.pk not in self._buildings:
            if not hasattr(topic, "voting_buildings"):  # an election's electorate is the whole community
                self._buildings[topic.pk] = []
                return []
            if getattr(topic, "limited_to_buildings", None) is False:  # known from the vote's lock (ballots)
                self._buildings[topic.pk] = []
                return []
            links = topic.voting_buildings.select_related("building").order_by("building__name")
            self._buildings[topic.pk] = [link.building for link in links]
        return self._buildings[topic.pk]

    def _membership(self, user, topic) -> Membership | None:
        key = (user.pk, topic.community_id)
        if key not in self._memberships:
            self._memberships[key] = verified_membership(user, topic.community_id)
        return self._memberships[key]

    def refusal(self, user, topic) -> str | None:
        if not _active(user):
            return _("Log in with an active account to vote.")
        membership = self._membership(user, topic)
        if membership is None:
            return _(
                "Only verified residents of this community may vote, and your membership here is not verified. "
                "Apply on your account page, or ask the community office."
            )
        if topic.electorate == Topic.Electorate.REPRESENTATIVES and not membership.is_representative:
            return _("Only resident representatives may vote on this topic.")
        if topic.electorate == Topic.Electorate.HOMEOWNERS and not membership.is_homeowner:
            return _("Only homeowners may vote on this topic, and your membership is not recorded as a homeowner's.")
        if topic.electorate in BY_HOUSEHOLD and membership.home is None:
            return _("Your membership has no home recorded, so your household cannot vote. Ask the community office.")
        buildings = self.buildings(topic)
        if buildings and (membership.home is None or membership.home.building_id not in {b.pk for b in buildings}):
            return _("Only residents of %(buildings)s may vote on this topic.") % {
                "buildings": "、".join(b.name for b in buildings)
            }
        if topic.min_age is not None:
            if membership.birth_date is None:
                return _(
                    "Only residents aged %(age)s or over may vote on this topic, and your age is not known. Show "
                    "your ID card at the community office to have it recorded."
                ) % {"age": topic.min_age}
            if membership.birth_date > born_on_or_before(topic.min_age):
                return _("Only residents aged %(age)s or over may vote on this topic.") % {"age": topic.min_age}
        return None

    def is_eligible(self, user, topic) -> bool:
        return self.refusal(user, topic) is None

    def voter_key(self, user, topic) -> str:
        if topic.electorate in BY_HOUSEHOLD:
            return f"home:{self._membership(user, topic).home_id}"
        return f"user:{user.pk}"

    def weight(self, user, topic) -> Decimal:
        if topic.electorate not in BY_HOUSEHOLD:
            return Decimal(0)
        return self._membership(user, topic).home.floor_area or Decimal(0)

    def eligible_members(self, topic):
        """The memberships that may vote: the same rules as `refusal`, as one query."""
        members = Membership.objects.filter(
            community_id=topic.community_id, status=Membership.Status.VERIFIED, user__is_active=True
        )
        if topic.electorate == Topic.Electorate.REPRESENTATIVES:
            members = members.filter(is_representative=True)
        if topic.electorate == Topic.Electorate.HOMEOWNERS:
            members = members.filter(is_homeowner=True)
        if topic.electorate in BY_HOUSEHOLD:
            members = members.filter(home__isnull=False)
        if topic.min_age is not None:
            members = members.filter(birth_date__lte=born_on_or_before(topic.min_age))
        buildings = self.buildings(topic)
        if buildings:
            members = members.filter(home__building__in=[b.pk for b in buildings])
        return members

    def eligible_user_ids(self, topic) -> list[int]:
        return sorted(set(self.eligible_members(topic).values_list("user_id", flat=True)))

    def eligible_totals(self, topic) -> tuple[int, Decimal]:
        members = self.eligible_members(topic)
        if topic.electorate in BY_HOUSEHOLD:
            homes = Home.objects.filter(pk__in=members.values("home_id"))  # each home once, however many members
            area = homes.aggregate(area=Sum("floor_area"))["area"]
            return homes.count(), area or Decimal(0)
        return members.values("user_id").distinct().count(), Decimal(0)


# Electorates where only people a worker registered may vote.
REGISTER_ONLY = {Topic.Electorate.HOUSEHOLD, Topic.Electorate.REPRESENTATIVES, Topic.Electorate.HOMEOWNERS}


class RegisterElectorate:
    """The rules of topics opened before memberships existed (Topic.legacy_register).

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
        if not _active(user):
            return False
        if not self._register_required(topic):
            return True
        row = self._row(user, topic)
        if row is None:
            return False
        return not (topic.electorate in BY_HOUSEHOLD and not row.household_key)

    def refusal(self, user, topic) -> str | None:
        if self.is_eligible(user, topic):
            return None
        return _("Your account is not in the voter register of this topic. Ask the community office.")

    def voter_key(self, user, topic) -> str:
        if topic.electorate in BY_HOUSEHOLD:
            return f"household:{self._row(user, topic).household_key}"
        return f"user:{user.pk}"

    def weight(self, user, topic) -> Decimal:
        row = self._row(user, topic)
        return row.floor_area if row else Decimal(0)

    def eligible_user_ids(self, topic) -> list[int]:
        """The registered accounts. Without a register ("all" open to any account) nobody can be listed,
        so the topic's community's verified members stand for its voters."""
        if self._register_required(topic):
            rows = VoterRegister.objects.filter(topic=topic, user__is_active=True)
            if topic.electorate in BY_HOUSEHOLD:
                rows = rows.exclude(household_key="")
            return sorted(set(rows.values_list("user_id", flat=True)))
        return MembershipElectorate().eligible_user_ids(topic)

    def eligible_totals(self, topic) -> tuple[int, Decimal]:
        rows = VoterRegister.objects.filter(topic=topic)
        if topic.electorate in BY_HOUSEHOLD:
            per_household = rows.exclude(household_key="").values("household_key").annotate(area=Max("floor_area"))
            return len(per_household), sum((h["area"] for h in per_household), Decimal(0))
        return rows.count(), sum((r.floor_area for r in rows), Decimal(0))


def electorate_for(topic: Topic) -> Electorate:
    return RegisterElectorate() if topic.legacy_register else MembershipElectorate()
