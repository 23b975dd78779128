"""The self-governance section (社区自治) shows this app's elections, and the committees they made.

Registered with `participation.governance.registry` from `ElectionsConfig.ready`; each provider costs one query.
"""

from django.urls import reverse
from django.utils import timezone

from participation.governance import registry

from . import phases
from .models import Election, Phase

RECENT = 20  # the section lists the latest elections, not the community's whole history


def elections_of(community):
    now = timezone.now()
    for election in Election.objects.filter(community=community).order_by("-voting_starts")[:RECENT]:
        phase = election.current_phase(now)
        yield registry.Election(
            title=election.title,
            url=reverse("elections:detail", args=[election.pk]),
            phase=str(phase.label),
            open=phase != Phase.RESULTS or election.results_announced_at is None,
            date=election.voting_starts,
        )


def committees_of(community):
    """Per kind, the latest announced first round with what its announced run-offs and second rounds
    decided (phases.final_from: the final result, the one the results page shows)."""
    announced = list(
        Election.objects.filter(community=community, results_announced_at__isnull=False, sealed_result__isnull=False)
        .defer("announcement", "sealed_header")
        .order_by("-results_announced_at", "-pk")
    )
    following: dict[int, list] = {}
    for election in sorted(announced, key=lambda e: e.pk):
        if election.second_round_of_id:
            following.setdefault(election.second_round_of_id, []).append(election)
    committees = {}
    for first in announced:
        if first.second_round_of_id or first.kind in committees:
            continue  # a later round (counted with its first), or an older term of a committee already listed
        chain, frontier = [first], [first]
        while frontier:
            frontier = [later for earlier in frontier for later in following.get(earlier.pk, [])]
            chain.extend(frontier)
        committee = committees[first.kind] = registry.Committee(
            name=first.title,
            kind=first.kind,
            term_start=first.results_announced_at.date(),
            url=reverse("elections:results", args=[first.pk]),
        )
        committee.members.extend(
            registry.Member(member["name"], post["name"])
            for post in phases.final_from(chain)["posts"]
            for member in post["members"]
        )
    return list(committees.values())


def register():
    registry.register_elections(elections_of)
    registry.register_committees(committees_of)
