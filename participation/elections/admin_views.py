"""Worker screens beside the snippet listings: the election's workflow actions and paper ballots."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participation.deliberations import ballots
from portal.core.admin_scoping import Scoped, community_scoped_view

from . import phases, wording
from .box import accepted
from .forms import PaperBallotForm
from .models import Election, VoterListEntry, VoterRoll

# The election of each URL is found in the user's scope (portal.core.admin_scoping), else a 404; the
# worker screens change the election, so they also ask for the permission to change elections.
ELECTION = Scoped(Election, to="election", select_related=("community",))


def _may_change(user):
    if not user.has_perm("elections.change_election"):
        raise PermissionDenied


@community_scoped_view(pk=ELECTION)
def workflow(request, election):
    """Where the election stands and what the worker can do next."""
    _may_change(request.user)
    election = phases.advance(election)
    uncontested = phases.uncontested_posts(election)
    if uncontested:
        messages.warning(
            request,
            _("Not contested (差额): the candidates do not outnumber the seats for %(posts)s.")
            % {"posts": "、".join(p.name for p in uncontested)},
        )
    context = {
        "election": election,
        "phase": election.current_phase(),
        "listed": election.voter_list.filter(struck=False).count(),
        "open_objections": election.objections.filter(status="open").count(),
        "voted": election.roll.count(),
        "candidates": election.candidates.select_related("post", "person"),
        "results": wording.described(election.sealed_result) if election.sealed_result else None,
        "later_rounds": {e.round_kind: e for e in election.second_rounds.order_by("pk")},
    }
    return TemplateResponse(request, "elections/admin/workflow.html", context)


@community_scoped_view(pk=ELECTION)
@require_POST
def publish_voter_list(request, election):
    _may_change(request.user)
    count = phases.build_voter_list(election)
    messages.success(request, _("The voter list is published: %(n)s voters.") % {"n": count})
    return redirect("elections_workflow", election.pk)


@community_scoped_view(pk=ELECTION)
@require_POST
def announce(request, election):
    _may_change(request.user)
    election = phases.advance(election)
    try:
        phases.announce_results(election)
    except phases.Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The results are announced; the electorate is told."))
    return redirect("elections_workflow", election.pk)


@community_scoped_view(pk=ELECTION)
@require_POST
def open_next_round(request, election):
    """A run-off (决选) for the seats left tied, or a second round (另行选举) for those left empty."""
    _may_change(request.user)
    round_kind = request.POST.get("round_kind", Election.RoundKind.SECOND)
    if round_kind not in (Election.RoundKind.RUNOFF, Election.RoundKind.SECOND):
        return HttpResponseBadRequest(_("Choose a run-off or a second round."))
    try:
        again = phases.next_round(election, round_kind, request.user)
    except phases.Refused as refusal:
        messages.error(request, str(refusal))
        return redirect("elections_workflow", election.pk)
    if again.is_runoff:
        messages.success(request, _("The run-off is open among the tied candidates; check its dates."))
    else:
        messages.success(request, _("The second round is open; check its dates and candidates."))
    return redirect("wagtailsnippets_elections_election:edit", again.pk)


@community_scoped_view(pk=ELECTION)
def paper_ballot(request, election):
    """A paper ballot (polling station or roving ballot box), recorded by a worker (two for the roving box)."""
    _may_change(request.user)
    election = phases.advance(election)
    posts = accepted(election)
    form = PaperBallotForm(posts, request.POST or None, worker=request.user, election=election)
    receipt = None
    if request.method == "POST" and form.is_valid():
        entry = (
            VoterListEntry.objects.filter(election=election, number=form.cleaned_data["voter_number"], struck=False)
            .select_related("user")
            .first()
        )
        if entry is None:
            form.add_error("voter_number", _("No voter with this number is on the list."))
        else:
            roving = form.cleaned_data["channel"] == VoterRoll.Channel.ROVING
            try:
                receipt = ballots.cast_vote(
                    election,
                    entry.user,
                    form.choices(),
                    channel=form.cleaned_data["channel"],
                    recorded_by=request.user,
                    witnessed_by=form.cleaned_data.get("witness_user") if roving else None,
                )
            except ballots.VoteRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("Paper ballot of voter %(n)s recorded.") % {"n": entry.number})
                form = PaperBallotForm(posts, worker=request.user, election=election)
    status = 400 if request.method == "POST" and receipt is None else 200
    context = {"election": election, "form": form, "receipt": receipt}
    return TemplateResponse(request, "elections/admin/paper_ballot.html", context, status=status)
