"""Deliberations for decision support (portal.insights): votes, turnout and quorum of closed topics,
proposals and their co-signatures."""

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts import personal_text
from portal.core.links import site_url
from portal.insights import registry
from portal.insights.registry import FLOW, LEVEL, Figure, Link, Ratio

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


# The items behind the numbers (the drill-down): topics and proposals, never who voted or co-signed. A topic's
# title is written by staff, a proposal's by a resident (masked like everything residents publish); each links
# to its public page. At most 500 rows, the latest first.
LIMIT = 500


def _day(moment):
    return timezone.localtime(moment).date().isoformat() if moment else None


def _quorum_label(topic):
    if topic.sealed_at is None:
        return None  # not counted yet
    met = _quorum(topic.sealed_result)
    if met is None:
        return _("No quorum")
    return _("Met") if met else _("Not met")


TOPIC_COLUMNS = [
    _("Topic"),
    _("Community"),
    _("Voting from"),
    _("Voting until"),
    _("Ballots cast"),
    _("Eligible voters"),
    _("Turnout (%)"),
    _("Quorum"),
]


def _topic_items(topics, counted=None):
    """(columns, rows) of topics; `counted`: (column label, {topic id: n}) added as the last column."""
    topics = topics.select_related("community__site").annotate(roll_count=Count("roll")).order_by("-voting_ends", "-pk")
    columns = list(TOPIC_COLUMNS)
    if counted:
        columns.append(counted[0])
    rows = []
    for topic in topics[:LIMIT]:
        eligible = topic.sealed_eligible_headcount
        turnout = round(topic.roll_count * 100 / eligible, 1) if eligible else None
        row = [
            Link(topic.title, site_url(topic.community.site, reverse("deliberations:topic", args=[topic.pk]))),
            topic.community.name,
            _day(topic.voting_starts),
            _day(topic.voting_ends),
            topic.roll_count,
            eligible,
            turnout,
            _quorum_label(topic),
        ]
        if counted:
            row.append(counted[1].get(topic.pk, 0))
        rows.append(tuple(row))
    return columns, rows


def vote_items(community_ids, start, end, dimension=None):
    """The topics votes were cast in during the period, with how many (the figure is the last column's sum)."""
    votes = VoterRoll.objects.filter(voted_at__gte=start, voted_at__lt=end, topic__community_id__in=community_ids)
    counts = dict(votes.values_list("topic_id").annotate(n=Count("pk")).order_by())
    return _topic_items(Topic.objects.filter(pk__in=list(counts)), (_("Votes cast in the period"), counts))


def sealed_items(quorum=None):
    """The topics closed (sealed) in the period; `quorum`: "any" those with a quorum, "met" those that met it."""

    def items(community_ids, start, end, dimension=None):
        topics = _sealed(start, end).filter(community_id__in=community_ids)
        if quorum:
            keep = [
                pk
                for pk, result in topics.values_list("pk", "sealed_result")
                if (met := _quorum(result)) is not None and (met or quorum == "any")
            ]
            topics = Topic.objects.filter(pk__in=keep)
        return _topic_items(topics)

    return items


def open_items(community_ids, start, end, dimension=None):
    return _topic_items(
        Topic.objects.filter(community_id__in=community_ids, voting_starts__lte=end, voting_ends__gt=end)
    )


PROPOSAL_COLUMNS = [
    _("Proposal"),
    _("Community"),
    _("Proposed"),
    _("Co-signers"),
    _("Co-signers needed"),
    _("Enough co-signers"),
]


def _proposal_items(proposals, counted=None):
    proposals = proposals.select_related("community__site").annotate(signed=Count("cosignatures"))
    columns = list(PROPOSAL_COLUMNS)
    if counted:
        columns.append(counted[0])
    rows = []
    for proposal in proposals.order_by("-created_at", "-pk")[:LIMIT]:
        path = reverse("deliberations:proposal", args=[proposal.pk])
        row = [
            Link(personal_text.mask(proposal.title), site_url(proposal.community.site, path)),
            proposal.community.name,
            _day(proposal.created_at),
            proposal.signed,
            proposal.cosigners_needed,
            _day(proposal.ready_at),
        ]
        if counted:
            row.append(counted[1].get(proposal.pk, 0))
        rows.append(tuple(row))
    return columns, rows


def proposal_items(community_ids, start, end, dimension=None):
    return _proposal_items(
        Proposal.objects.filter(community_id__in=community_ids, created_at__gte=start, created_at__lt=end)
    )


def ready_items(community_ids, start, end, dimension=None):
    return _proposal_items(
        Proposal.objects.filter(community_id__in=community_ids, ready_at__gte=start, ready_at__lt=end)
    )


def cosignature_items(community_ids, start, end, dimension=None):
    """The proposals co-signed in the period, with how many co-signatures then (no names)."""
    signed = CoSignature.objects.filter(
        signed_at__gte=start, signed_at__lt=end, proposal__community_id__in=community_ids
    )
    counts = dict(signed.values_list("proposal_id").annotate(n=Count("pk")).order_by())
    return _proposal_items(Proposal.objects.filter(pk__in=list(counts)), (_("Co-signatures in the period"), counts))


def sealed_voter_items(community_ids, start, end, dimension=None):
    """The topics closed in the period and their voters (the figure is the ballots column's sum)."""
    return _topic_items(_sealed(start, end).filter(community_id__in=community_ids))


# {figure key: (items, the column holding each row's count when the rows are groups)}
ITEMS = {
    "deliberations.votes": (vote_items, len(TOPIC_COLUMNS)),
    "deliberations.sealed": (sealed_items(), None),
    "deliberations.with_quorum": (sealed_items("any"), None),
    "deliberations.quorum_met": (sealed_items("met"), None),
    "deliberations.sealed_voters": (sealed_voter_items, 4),  # ballots cast
    "deliberations.sealed_eligible": (sealed_voter_items, 5),  # eligible voters
    "deliberations.open": (open_items, None),
    "deliberations.proposals": (proposal_items, None),
    "deliberations.cosignatures": (cosignature_items, len(PROPOSAL_COLUMNS)),
    "deliberations.proposals_ready": (ready_items, None),
}


def _with_items(key):
    items, count_column = ITEMS[key]
    return {"items": items, "items_count_column": count_column}


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
        registry.register(Figure(key, label, section, FLOW, compute, order=10 + order, **_with_items(key)))
    registry.register(
        Figure(
            "deliberations.open",
            _("Deliberations open for voting"),
            section,
            LEVEL,
            open_for_voting,
            order=9,
            **_with_items("deliberations.open"),
        )
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
