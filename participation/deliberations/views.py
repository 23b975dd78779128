"""The community site's deliberation pages: list, topic, vote, comment, published log, verification."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Exists, OuterRef, Q, prefetch_related_objects
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.accounts.actions import resident_action
from portal.core import sites
from portal.core.links import site_url
from portal.core.pagination import paginate

from . import ballot_log, ballots, proposals, wording
from .electorate import electorate_for
from .forms import CommentForm, ProposalForm, VoteForm
from .models import DeliberationSettings, Phase, Proposal, Topic, TopicBuilding, VoterRoll

COMMENT_PHASES = {Phase.PROPOSAL, Phase.DISCUSSION, Phase.VOTING}


def topic_url(topic) -> str:
    return reverse("deliberations:topic", args=[topic.pk])


def _community(request):
    community = sites.community_for_request(request)
    if community is None:
        raise Http404(_("Deliberations belong to a community site."))
    return community


def _topic(request, pk, topics=Topic.objects) -> Topic:
    """The topic, if it belongs to the community whose site this is: one query on the topic alone, its
    community from the site map (sites.community_for_request)."""
    community = _community(request)
    topic = get_object_or_404(topics, pk=pk, community=community)
    topic.community = community
    return ballots.seal_if_due(topic)


def _share(votes: str, voters: str) -> int:
    """Whole percent of the votes cast, for the bars (the table shows the exact counts)."""
    return round(100 * int(votes) / int(voters)) if int(voters) else 0


def described_results(result: dict, topic: Topic) -> dict:
    labels = {o.key: o.label for o in topic.option_infos()}
    return {
        "rows": [
            {
                "label": labels[key],
                "votes": c["votes"],
                "area": c["area"],
                "share": _share(c["votes"], result["voters"]),
                "leader": key == result["leader"],
            }
            for key, c in result["counts"].items()
        ],
        "checks": [{"met": c["met"], "text": wording.describe(c)} for c in result["checks"]],
        "outcome": wording.outcome(result, labels),
        "passed": result["passed"],
        "voters": result["voters"],
        "eligible": result["eligible_headcount"],
        "weighted": topic.majority == Topic.Majority.DOUBLE,
    }


def _voting_state(request, topic: Topic, electorate) -> tuple[str, str]:
    """(state, why the user may not vote, if that is the state)."""
    if not topic.is_voting_open():
        return "closed", ""
    if not request.user.is_authenticated:
        return "anonymous", ""
    refusal = electorate.refusal(request.user, topic)
    if refusal:
        return "ineligible", refusal
    key = electorate.voter_key(request.user, topic)
    if VoterRoll.objects.filter(topic=topic, voter_key=key).exists():
        return ("household_voted" if key.startswith("home:") else "voted"), ""
    return "can_vote", ""


def deliberation_action(action, **kwargs):
    """The one decision (portal.accounts.actions) for the community whose site this is."""
    return resident_action(action, community=lambda request, *args, **kw: _community(request), **kwargs)


def topic_list(request):
    community = _community(request)
    topics = paginate(request, Topic.objects.filter(community=community))
    pending = (
        Proposal.objects.filter(community=community, topic__isnull=True)
        .annotate(signed=Count("cosignatures"))
        .order_by("-created_at")
    )
    context = {
        "topics": topics,
        "community": community,
        "proposals": pending,
        "proposals_open": DeliberationSettings.for_community(community).residents_may_propose,
    }
    return render(request, "deliberations/topic_list.html", context)


@deliberation_action("deliberations.propose")
def propose(request):
    community = _community(request)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    refusal = proposals.why_not_propose(request.user, community)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and refusal is None and form.is_valid():
        data = form.cleaned_data
        proposal = proposals.submit(request.user, community, data["title"], data["description"], data["options"])
        return redirect("deliberations:proposal", proposal.pk)
    status = 403 if refusal else 400 if request.method == "POST" else 200
    context = {"form": form, "refusal": refusal, "community": community}
    return render(request, "deliberations/propose.html", context, status=status)


def _render_proposal(request, proposal, *, error="", status=200):
    user = request.user
    context = {
        "proposal": proposal,
        "signed": proposal.cosignatures.count(),
        "has_signed": user.is_authenticated and proposal.cosignatures.filter(user=user).exists(),
        "cannot_cosign": proposals.why_not_cosign(user, proposal) if user.is_authenticated else "",
        "error": error,
    }
    return render(request, "deliberations/proposal_detail.html", context, status=status)


def _proposal(request, pk) -> Proposal:
    queryset = Proposal.objects.select_related("community", "proposer")
    return get_object_or_404(queryset, pk=pk, community=_community(request))


def proposal_detail(request, pk):
    proposal = _proposal(request, pk)
    if proposal.topic_id:
        return redirect(topic_url(proposal.topic))
    return _render_proposal(request, proposal)


@require_POST
@deliberation_action("deliberations.cosign")
def cosign(request, pk):
    proposal = _proposal(request, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("deliberations:proposal", args=[proposal.pk]))
    try:
        proposals.cosign(request.user, proposal)
    except proposals.ProposalRefused as refusal:
        return _render_proposal(request, proposal, error=str(refusal), status=409)
    return redirect("deliberations:proposal", proposal.pk)


def _tally_wording(topic) -> dict:
    """What tally-live.js needs to render a pushed tally as the results block does (numbers come pushed)."""
    links = [
        (reverse("deliberations:ballot_log", args=[topic.pk]), _("Download the ballot log (JSON)")),
        (reverse("deliberations:verify", args=[topic.pk]), _("Verify the log and find my receipt")),
    ]
    return wording.client_wording([(o.key, o.label) for o in topic.option_infos()], links)


class ShownTopic:
    """What deliberations/topic_detail.html shows everyone of a topic, for `{% sitewide with page=... %}`: keyed
    by the topic (`Topic.sitewide_key`), its phase and whether its results show; the rows are read only when the
    memo has no rendering for that key. Nothing of the visitor's is in it."""

    def __init__(self, topic: Topic, electorate):
        self.topic, self.electorate, self.now = topic, electorate, timezone.now()
        self.phase = topic.current_phase(self.now)
        self.results_visible = topic.results_visible(self.now)
        self.sitewide_key = (*topic.sitewide_key, self.phase, self.results_visible)

    @property
    def next_phase(self):
        return self.topic.next_phase(self.now)

    @property
    def timeline(self):
        return self.topic.timeline(self.now)

    @property
    def voting_open(self) -> bool:
        return self.phase == Phase.VOTING

    @property
    def comments_open(self) -> bool:
        return self.phase in COMMENT_PHASES

    @cached_property
    def options(self) -> list:
        prefetch_related_objects([self.topic], "options")  # read once, for the form, the list and the wording
        return list(self.topic.options.all())

    def vote_form(self):
        self.options  # noqa: B018  (read once)
        return VoteForm(self.topic)

    def comment_form(self):
        return CommentForm()

    def sealed_results(self):
        return described_results(self.topic.sealed_result, self.topic) if self.topic.sealed_at else None

    def tally_wording(self):
        self.options  # noqa: B018
        return _tally_wording(self.topic)

    def comments(self):
        return self.topic.comments.filter(is_hidden=False).select_related("author")

    def updates(self):
        return self.topic.updates.all()

    def documents(self):
        return self.topic.documents.select_related("document")

    def proposal(self):
        return Proposal.objects.filter(topic=self.topic).select_related("proposer").first()

    def buildings(self) -> list[str]:
        return [] if self.topic.legacy_register else [b.name for b in self.electorate.buildings(self.topic)]

    def schedule_changes(self):
        return self.topic.schedule_changes.all()


def _render_topic(request, topic, *, vote_error="", comment_form=None, status=200):
    """The topic page: what everyone sees is kept (ShownTopic); the visitor's voting state is a flag of its key,
    their vote form's nonce, the refusal, an error, a bound comment form and live results are rendered per request."""
    electorate = electorate_for(topic)  # one for the page: it reads the topic's buildings once
    shown = ShownTopic(topic, electorate)
    state, refusal = _voting_state(request, topic, electorate)
    live = shown.results_visible and not topic.sealed_at
    if live:
        shown.options  # noqa: B018  (read once, for the count and its labels)
    context = {
        "topic": topic,
        "shown": shown,
        "voting_state": state,
        "refusal": refusal,
        "nonce": ballots.issue_nonce(topic, request.user) if state == "can_vote" else "",
        "vote_error": vote_error,
        "live_results": described_results(ballots.live_result(topic), topic) if live else None,
        "comment_form": comment_form,
    }
    return render(request, "deliberations/topic_detail.html", context, status=status)


def topic_detail(request, pk):
    topics = Topic.objects
    if request.user.is_authenticated:  # whether a refusal must read the topic's buildings, asked with the topic
        topics = topics.annotate(limited_to_buildings=Exists(TopicBuilding.objects.filter(topic=OuterRef("pk"))))
    return _render_topic(request, _topic(request, pk, topics))


@require_POST
@deliberation_action("deliberations.vote")
def vote(request, pk):
    topic = _topic(request, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(topic_url(topic))
    form = VoteForm(topic, request.POST)
    if not form.is_valid():
        error = form.errors.get("option", [""])[0] or _("This vote form is incomplete. Reload the page.")
        return _render_topic(request, topic, vote_error=error, status=400)
    try:
        receipt = ballots.cast_vote(topic, request.user, form.cleaned_data["option"], nonce=form.cleaned_data["nonce"])
    except ballots.VoteRefused as refusal:
        return _render_topic(request, topic, vote_error=str(refusal), status=409)
    return ballots.hand_receipt(request, topic, receipt)


@require_GET
def receipt(request, pk):
    """The receipt code once, right after the vote (ballots.hand_receipt); never again."""
    topic = _topic(request, pk)
    return ballots.show_receipt(request, topic, "deliberations/receipt.html", {"topic": topic})


@require_POST
@deliberation_action("deliberations.comment")
def comment(request, pk):
    topic = _topic(request, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(topic_url(topic))
    if topic.current_phase() not in COMMENT_PHASES:
        return _render_topic(request, topic, status=409)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _render_topic(request, topic, comment_form=form, status=400)
    form.instance.topic, form.instance.community, form.instance.author = topic, topic.community, request.user
    form.save()
    return redirect(topic_url(topic) + "#comments")


def _sealed(request, pk) -> Topic:
    topic = _topic(request, pk)
    if not topic.sealed_at:
        raise Http404(_("The ballot log is published when voting closes."))
    return topic


@require_GET
def ballot_log_download(request, pk):
    topic = _sealed(request, pk)
    response = JsonResponse(ballots.document(topic), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="ballots-{topic.pk}.json"'
    return response


@require_GET
def verify(request, pk):
    """While voting is open: the running commitment and whether every ballot so far was added by a vote.
    Once sealed: that, the chain, the commitment against the chain, the recount and the receipt lookup."""
    topic = _topic(request, pk)
    if topic.current_phase() in (Phase.PROPOSAL, Phase.DISCUSSION):
        raise Http404(_("There is nothing to verify before voting starts."))
    tampering = ballots.commitment_problems(topic)
    context = {"topic": topic, "sealed": bool(topic.sealed_at), "tampering": tampering}
    if not topic.sealed_at:
        context.update(problems=tampering, running=ballots.running_commitment(topic))
        return render(request, "deliberations/verify.html", context, status=200)
    document = ballots.document(topic)
    problems, recount = ballot_log.verify(document)
    receipt = request.GET.get("receipt", "").strip()[:40]
    found = None
    if receipt:
        wanted = ballot_log.receipt_hash(receipt)
        labels = {o.key: o.label for o in topic.option_infos()}
        found = next(
            (
                {"seq": e["seq"], "option": labels.get(e["option"])}
                for e in document["entries"]
                if e["receipt_hash"] == wanted
            ),
            False,
        )
    context.update(
        problems=tampering + problems,
        recount=described_results(recount, topic) if recount else None,
        count=len(document["entries"]),
        head=document["head"],
        commitment=document["commitment"],
        receipt=receipt,
        found=found,
    )
    return render(request, "deliberations/verify.html", context, status=200)


def _my_voter_keys(user):
    """(topic id or None, voter key) pairs that stand for `user`: themself, their verified homes, and the
    households a topic's register puts them in."""
    from portal.accounts.models import Membership

    from .models import VoterRegister

    homes = Membership.objects.filter(user=user, status=Membership.Status.VERIFIED).values_list("home_id", flat=True)
    condition = Q(voter_key=f"user:{user.pk}") | Q(voter_key__in=[f"home:{home}" for home in homes if home])
    for topic_id, household in VoterRegister.objects.filter(user=user).values_list("topic_id", "household_key"):
        condition |= Q(topic_id=topic_id, voter_key=f"household:{household}")
    return condition


@login_required
def my_votes(request):
    """The topics the user (or their household) voted on, in every community, and where to check a receipt.

    The receipt itself is only ever shown to the voter once, when they vote: it is not stored."""
    here = sites.community_for_request(request)
    rows = paginate(
        request,
        VoterRoll.objects.filter(_my_voter_keys(request.user))
        .select_related("topic__community__site")
        .order_by("-voted_at", "-pk"),
    )
    for row in rows:
        topic = row.topic
        same_site = here is not None and topic.community_id == here.pk
        row.household = not row.voter_key.startswith("user:")
        for name, path in (
            ("link", reverse("deliberations:topic", args=[topic.pk])),
            ("verify_link", reverse("deliberations:verify", args=[topic.pk])),
        ):
            setattr(row, name, path if same_site else site_url(topic.community, path, request))
    return render(request, "deliberations/my_votes.html", {"page_obj": rows})
