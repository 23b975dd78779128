"""The community site's election pages: list, election, voter list and objections, nominations,
acceptance, the ballot, the results, the published log and its verification."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from participation.deliberations import ballot_log, ballots
from portal.accounts.actions import resident_action
from portal.core import sites
from portal.core.pagination import paginate

from . import phases, wording
from .box import accepted
from .electorate import ListElectorate
from .forms import AnswerForm, BallotForm, NominationForm, ObjectionForm
from .models import Candidate, Election, Objection, Phase, VoterListEntry, VoterRoll


def _community(request):
    site = sites.site_for_request(request)
    community = getattr(site, "community", None) if site else None
    if community is None:
        raise Http404(_("Elections belong to a community site."))
    return community


def _election(request, pk) -> Election:
    site = sites.site_for_request(request)
    election = get_object_or_404(Election.objects.select_related("community"), pk=pk, community__site=site)
    return phases.advance(election)


def election_action(action):
    return resident_action(action, community=lambda request, *args, **kw: _community(request))


def election_list(request):
    community = _community(request)
    elections = paginate(request, Election.objects.filter(community=community))
    return render(request, "elections/election_list.html", {"elections": elections, "community": community})


def _voting_state(request, election) -> tuple[str, str]:
    if not election.is_voting_open():
        return "closed", ""
    if not request.user.is_authenticated:
        return "anonymous", ""
    electorate = ListElectorate()
    refusal = electorate.refusal(request.user, election)
    if refusal:
        return "ineligible", refusal
    if VoterRoll.objects.filter(election=election, voter_key=electorate.voter_key(request.user, election)).exists():
        return "voted", ""
    return "can_vote", ""


def _render(request, election, *, error="", ballot_form=None, status=200, **extra):
    user = request.user
    posts = accepted(election)
    state, refusal = _voting_state(request, election)
    if state == "can_vote" and ballot_form is None:
        ballot_form = BallotForm(
            posts, initial={"nonce": ballots.issue_nonce(election, user)}, write_ins=not election.is_runoff
        )
    phase = election.current_phase()
    mine = (
        election.candidates.filter(person=user).exclude(status=Candidate.Status.COLLECTING).select_related("post")
        if user.is_authenticated
        else []
    )
    context = {
        "election": election,
        "phase": phase,
        "timeline": election.timeline(),
        "posts": posts,
        "nominations": election.candidates.filter(status=Candidate.Status.COLLECTING).select_related("post", "person")
        if phase == Phase.NOMINATION
        else [],
        "show_candidates": phase not in (Phase.ANNOUNCEMENT, Phase.VOTER_LIST, Phase.NOMINATION, Phase.ACCEPTANCE),
        "voting_state": state,
        "refusal": refusal,
        "ballot_form": ballot_form,
        "error": error,
        "entry": phases.on_list(election, user),
        "my_nominations": mine,
        "answer_form": AnswerForm(),
        "nomination_form": NominationForm(election) if phase == Phase.NOMINATION else None,
        "turnout": election.roll.count() if phase in (Phase.VOTING, Phase.COUNTING, Phase.RESULTS) else None,
        "eligible": ListElectorate().eligible_totals(election)[0] if election.voter_list_built_at else None,
        "uncontested": phases.uncontested_posts(election) if user.is_staff else [],
        **extra,
    }
    return render(request, "elections/election_detail.html", context, status=status)


def election_detail(request, pk):
    return _render(request, _election(request, pk))


def voter_list(request, pk):
    """The published voter list: voter numbers, masked names and buildings; your own line; objections."""
    election = _election(request, pk)
    if not election.voter_list_built_at:
        raise Http404(_("The voter list is not published yet."))
    entries = paginate(
        request,
        VoterListEntry.objects.filter(election=election).select_related("user", "home__building").order_by("number"),
        per_page=100,
    )
    context = {
        "election": election,
        "entries": entries,
        "entry": phases.on_list(election, request.user),
        "objections": Objection.objects.filter(election=election, author=request.user)
        if request.user.is_authenticated
        else [],
        "form": ObjectionForm(),
        "objections_open": election.objections_open(),
    }
    return render(request, "elections/voter_list.html", context)


@require_POST
@election_action("elections.object")
def object_to_list(request, pk):
    election = _election(request, pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        return render(request, "elections/message.html", {"election": election, "form": form}, status=400)
    data = form.cleaned_data
    try:
        phases.raise_objection(election, request.user, data["kind"], data["text"], data.get("about_number"))
    except phases.Refused as refusal:
        return render(request, "elections/message.html", {"election": election, "error": str(refusal)}, status=409)
    return redirect(reverse("elections:voter_list", args=[election.pk]) + "#objections")


@require_POST
@election_action("elections.nominate")
def nominate(request, pk):
    election = _election(request, pk)
    form = NominationForm(election, request.POST)
    if not form.is_valid():
        return render(request, "elections/message.html", {"election": election, "form": form}, status=400)
    post = election.posts.filter(pk=form.cleaned_data["post"]).first()
    try:
        phases.nominate(election, post, request.user, form.cleaned_data["number"])
    except phases.Refused as refusal:
        return render(request, "elections/message.html", {"election": election, "error": str(refusal)}, status=409)
    return redirect(reverse("elections:detail", args=[election.pk]) + "#nominations")


def _candidate(request, pk) -> Candidate:
    site = sites.site_for_request(request)
    return get_object_or_404(
        Candidate.objects.select_related("election__community", "post"), pk=pk, election__community__site=site
    )


@require_POST
@election_action("elections.nominate")
def support(request, pk):
    candidate = _candidate(request, pk)
    try:
        phases.support(candidate, request.user)
    except phases.Refused as refusal:
        context = {"election": candidate.election, "error": str(refusal)}
        return render(request, "elections/message.html", context, status=409)
    return redirect(reverse("elections:detail", args=[candidate.election_id]) + "#nominations")


@require_POST
def answer(request, pk):
    """Only the nominee answers their own nomination (phases.answer_nomination checks it)."""
    candidate = _candidate(request, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("elections:detail", args=[candidate.election_id]))
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return render(request, "elections/message.html", {"election": candidate.election, "form": form}, status=400)
    try:
        phases.answer_nomination(candidate, request.user, form.cleaned_data["accept"], form.cleaned_data["statement"])
    except phases.Refused as refusal:
        context = {"election": candidate.election, "error": str(refusal)}
        return render(request, "elections/message.html", context, status=409)
    return redirect("elections:detail", candidate.election_id)


@require_POST
@election_action("elections.vote")
def vote(request, pk):
    election = _election(request, pk)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("elections:detail", args=[election.pk]))
    form = BallotForm(accepted(election), request.POST, write_ins=not election.is_runoff)
    if not form.is_valid():
        return _render(request, election, ballot_form=form, error=_("Correct the ballot below."), status=400)
    try:
        receipt = ballots.cast_vote(election, request.user, form.choices(), nonce=form.cleaned_data["nonce"])
    except ballots.VoteRefused as refusal:
        return _render(request, election, error=str(refusal), status=409)
    return ballots.hand_receipt(request, election, receipt)


@require_GET
def receipt(request, pk):
    """The receipt code once, right after the ballot (ballots.hand_receipt); never again."""
    election = _election(request, pk)
    return ballots.show_receipt(request, election, "elections/receipt.html", {"election": election})


def results(request, pk):
    election = _election(request, pk)
    if not election.sealed_at:
        raise Http404(_("Results are published when the ballots are counted; never before."))
    chain = phases.rounds(election)
    context = {
        "election": election,
        "results": wording.described(election.sealed_result),
        "rounds": [r for r in chain if r.pk != election.pk],
        "final": phases.final_from(chain) if len(chain) > 1 else None,
    }
    return render(request, "elections/results.html", context)


def _sealed(request, pk) -> Election:
    election = _election(request, pk)
    if not election.sealed_at:
        raise Http404(_("The ballot log is published when voting closes."))
    return election


@require_GET
def ballot_log_download(request, pk):
    election = _sealed(request, pk)
    response = JsonResponse(ballots.document(election), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="election-{election.pk}.json"'
    return response


@require_GET
def verify(request, pk):
    """While voting is open: the running commitment; once sealed: the chain, the recount, the receipt lookup."""
    election = _election(request, pk)
    if election.current_phase() not in (Phase.VOTING, Phase.COUNTING, Phase.RESULTS):
        raise Http404(_("There is nothing to verify before voting starts."))
    tampering = ballots.commitment_problems(election)
    context = {"election": election, "sealed": bool(election.sealed_at), "tampering": tampering}
    if not election.sealed_at:
        context.update(problems=tampering, running=ballots.running_commitment(election))
        return render(request, "elections/verify.html", context)
    document = ballots.document(election)
    problems, recount = ballot_log.verify(document)
    receipt = request.GET.get("receipt", "").strip()[:40]
    found = None
    if receipt:
        wanted = ballot_log.receipt_hash(receipt)
        found = next(
            (
                {"seq": e["seq"], "marks": wording.marks(document["header"], e["choices"])}
                for e in document["entries"]
                if e["receipt_hash"] == wanted
            ),
            False,
        )
    context.update(
        problems=tampering + problems,
        recount=wording.described(recount) if recount else None,
        count=len(document["entries"]),
        head=document["head"],
        commitment=document["commitment"],
        receipt=receipt,
        found=found,
    )
    return render(request, "elections/verify.html", context)
