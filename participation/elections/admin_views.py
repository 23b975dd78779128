"""Worker screens beside the snippet listings: the election's workflow actions and paper ballots."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.regions.scoping import scope_queryset
from participation.deliberations import ballots

from . import phases
from .box import accepted
from .forms import PaperBallotForm
from .models import Election, VoterListEntry, VoterRoll


def _scoped(user):
    if not user.has_perm("elections.change_election"):
        raise PermissionDenied
    return scope_queryset(Election.objects.select_related("community"), user)


def workflow(request, pk):
    """Where the election stands and what the worker can do next."""
    election = phases.advance(get_object_or_404(_scoped(request.user), pk=pk))
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
    }
    return TemplateResponse(request, "elections/admin/workflow.html", context)


@require_POST
def publish_voter_list(request, pk):
    election = get_object_or_404(_scoped(request.user), pk=pk)
    count = phases.build_voter_list(election)
    messages.success(request, _("The voter list is published: %(n)s voters.") % {"n": count})
    return redirect("elections_workflow", election.pk)


@require_POST
def announce(request, pk):
    election = phases.advance(get_object_or_404(_scoped(request.user), pk=pk))
    try:
        phases.announce_results(election)
    except phases.Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The results are announced; the electorate is told."))
    return redirect("elections_workflow", election.pk)


@require_POST
def open_second_round(request, pk):
    election = get_object_or_404(_scoped(request.user), pk=pk)
    try:
        again = phases.second_round(election, request.user)
    except phases.Refused as refusal:
        messages.error(request, str(refusal))
        return redirect("elections_workflow", election.pk)
    messages.success(request, _("The second round is open; check its dates and candidates."))
    return redirect("wagtailsnippets_elections_election:edit", again.pk)


def paper_ballot(request, pk):
    """A paper ballot (polling station or roving ballot box), recorded by a worker (two for the roving box)."""
    election = phases.advance(get_object_or_404(_scoped(request.user), pk=pk))
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
