"""The self-governance section (社区自治) shows this app's elections, and the committees they made.

Registered with `participation.governance.registry` from `ElectionsConfig.ready`; each provider costs one query.
"""

from django.urls import reverse
from django.utils import timezone

from participation.governance import registry

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
    """Per kind, the latest announced election (with the second rounds that filled its empty seats)."""
    announced = (
        Election.objects.filter(community=community, results_announced_at__isnull=False, sealed_result__isnull=False)
        .select_related("second_round_of")
        .order_by("-results_announced_at")
    )
    committees = {}
    for election in announced:
        first = election.second_round_of or election
        committee = committees.get(first.kind)
        if committee is None:
            committee = committees[first.kind] = registry.Committee(
                name=first.title,
                kind=first.kind,
                term_start=first.results_announced_at.date() if first.results_announced_at else None,
                url=reverse("elections:results", args=[first.pk]),
            )
        elif committee.name != first.title:
            continue  # an older term of a committee already listed
        committee.members.extend(
            registry.Member(row["name"], post["name"])
            for post in election.sealed_result.get("posts", [])
            for row in post["rows"]
            if row["status"] == "elected"
        )
    return list(committees.values())


def register():
    registry.register_elections(elections_of)
    registry.register_committees(committees_of)
