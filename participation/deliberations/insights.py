"""Deliberations for decision support (portal.insights): votes, turnout and quorum of closed topics,
proposals and their co-signatures."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from portal.insights import registry
from portal.insights.registry import FLOW, LEVEL, Figure, Ratio

from .models import CoSignature, Proposal, Topic, VoterRoll


def _count(queryset, community="community_id"):
    for row in queryset.values(community).annotate(n=Count("pk")).order_by():
        yield row[community], "", 0, row["n"]


def votes(start, end):
    return _count(VoterRoll.objects.filter(voted_at__gte=start, voted_at__lt=end), "topic__community_id")


def _sealed(start, end):
    return Topic.objects.filter(sealed_at__gte=start, sealed_at__lt=end)


def sealed(start, end):
    return _count(_sealed(start, end))


def _quorum(result) -> bool | None:
    """Whether the sealed result's quorum check was met; None when the topic had no quorum."""
    for check in (result or {}).get("checks", []):
        if check.get("rule") == "quorum":
            return bool(check.get("met"))
    return None


def with_quorum(met_only):
    def compute(start, end):
        counts: dict = {}
        for community_id, result in _sealed(start, end).values_list("community_id", "sealed_result"):
            met = _quorum(result)
            if met is not None and (met or not met_only):
                counts[community_id] = counts.get(community_id, 0) + 1
        for community_id, n in counts.items():
            yield community_id, "", 0, n

    return compute


def open_for_voting(start, end):
    """Topics whose voting is open at `end` (by their voting dates as they are now)."""
    return _count(Topic.objects.filter(voting_starts__lte=end, voting_ends__gt=end))


def sealed_voters(start, end):
    rows = VoterRoll.objects.filter(topic__sealed_at__gte=start, topic__sealed_at__lt=end)
    return _count(rows, "topic__community_id")


def sealed_eligible(start, end):
    for community_id, headcount in _sealed(start, end).values_list("community_id", "sealed_eligible_headcount"):
        if headcount:
            yield community_id, "", 0, headcount


def proposals(start, end):
    return _count(Proposal.objects.filter(created_at__gte=start, created_at__lt=end))


def cosignatures(start, end):
    return _count(CoSignature.objects.filter(signed_at__gte=start, signed_at__lt=end), "proposal__community_id")


def proposals_ready(start, end):
    return _count(Proposal.objects.filter(ready_at__gte=start, ready_at__lt=end))


def register():
    registry.register_sources("deliberations", Topic, VoterRoll, Proposal, CoSignature)
    section = "participation"
    for order, (key, label, compute) in enumerate(
        [
            ("deliberations.votes", _("Votes cast in deliberations"), votes),
            ("deliberations.sealed", _("Deliberations closed"), sealed),
            ("deliberations.with_quorum", _("Closed deliberations with a quorum"), with_quorum(False)),
            ("deliberations.quorum_met", _("Closed deliberations that met their quorum"), with_quorum(True)),
            ("deliberations.sealed_voters", _("Voters in closed deliberations"), sealed_voters),
            ("deliberations.sealed_eligible", _("Eligible voters in closed deliberations"), sealed_eligible),
            ("deliberations.proposals", _("Proposals made"), proposals),
            ("deliberations.cosignatures", _("Co-signatures of proposals"), cosignatures),
            ("deliberations.proposals_ready", _("Proposals that reached their co-signers"), proposals_ready),
        ]
    ):
        registry.register(Figure(key, label, section, FLOW, compute, order=10 + order))
    registry.register(
        Figure("deliberations.open", _("Deliberations open for voting"), section, LEVEL, open_for_voting, order=9)
    )
    registry.register_ratio(
        Ratio(
            "deliberations.turnout",
            _("Turnout in closed deliberations (%)"),
            section,
            ("deliberations.sealed_voters",),
            ("deliberations.sealed_eligible",),
            order=25,
        )
    )
