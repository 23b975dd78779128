"""Who votes in an election: the people on its published voter list (选民名单).

The list is drawn from verified memberships by the deliberations' MembershipElectorate (the one
place that turns memberships into an electorate: adults, households, representatives, homeowners),
when a worker publishes it; an upheld objection adds or strikes a person. From then on the list,
not today's memberships, decides: a resident can check their line and object before the vote.
"""

from decimal import Decimal

from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from participation.deliberations.electorate import BY_HOUSEHOLD, MembershipElectorate
from portal.accounts.models import Home

from .models import Election, VoterListEntry


def members_for_list(election: Election):
    """The verified memberships the list is built from (the memberships electorate's own query)."""
    return MembershipElectorate().eligible_members(election).select_related("user", "home")


class ListElectorate:
    """The ballots core's electorate protocol (see deliberations.electorate.Electorate) over the list."""

    def __init__(self):
        self._entries = {}

    def entry(self, user, election) -> VoterListEntry | None:
        key = (getattr(user, "pk", None), election.pk)
        if key not in self._entries:
            self._entries[key] = (
                VoterListEntry.objects.filter(election=election, user_id=key[0], struck=False).first()
                if key[0]
                else None
            )
        return self._entries[key]

    def refusal(self, user, election) -> str | None:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return _("Log in with an active account to vote.")
        entry = self.entry(user, election)
        if entry is None:
            return _(
                "You are not on the voter list of this election. If you should be, raise an objection while the "
                "list is published, or ask the election committee."
            )
        if election.electorate in BY_HOUSEHOLD and entry.home_id is None:
            return _("Your entry on the voter list has no home, so your household cannot vote. Ask the committee.")
        return None

    def is_eligible(self, user, election) -> bool:
        return self.refusal(user, election) is None

    def voter_key(self, user, election) -> str:
        if election.electorate in BY_HOUSEHOLD:
            return f"home:{self.entry(user, election).home_id}"
        return f"user:{user.pk}"

    def weight(self, user, election) -> Decimal:
        if election.electorate not in BY_HOUSEHOLD:
            return Decimal(0)
        home = self.entry(user, election).home
        return (home.floor_area if home else None) or Decimal(0)

    def eligible_totals(self, election) -> tuple[int, Decimal]:
        entries = VoterListEntry.objects.filter(election=election, struck=False)
        if election.electorate in BY_HOUSEHOLD:
            homes = Home.objects.filter(pk__in=entries.exclude(home=None).values("home_id"))
            return homes.count(), homes.aggregate(area=Sum("floor_area"))["area"] or Decimal(0)
        return entries.count(), Decimal(0)


def next_number(election) -> int:
    return (VoterListEntry.objects.filter(election=election).aggregate(n=Max("number"))["n"] or 0) + 1
