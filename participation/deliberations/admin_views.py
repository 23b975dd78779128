"""Worker screens outside the snippet listings: recording paper ballots, opening residents' proposals."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.regions.scoping import scope_queryset
from portal.core.admin_scoping import Scoped, community_scoped_view

from . import ballots, proposals
from .forms import DeclineProposalForm, OpenProposalForm, PaperBallotForm
from .models import Proposal, Topic, VoterRoll


def _scoped_topics(user):
    if not user.has_perm("deliberations.change_topic"):
        raise PermissionDenied
    return scope_queryset(Topic.objects.select_related("community"), user)


def paper_ballot_index(request):
    now = timezone.now()
    topics = _scoped_topics(request.user).filter(voting_starts__lte=now, voting_ends__gt=now)
    return TemplateResponse(request, "deliberations/admin/paper_index.html", {"topics": topics})


@community_scoped_view(pk=Scoped(Topic, to="topic", select_related=("community",)))
def record_paper_ballot(request, topic):
    if not request.user.has_perm("deliberations.change_topic"):
        raise PermissionDenied
    form = PaperBallotForm(topic, request.POST or None)
    if request.method == "POST" and form.is_valid():
        resident = form.cleaned_data["resident"]
        try:
            receipt = ballots.cast_vote(
                topic,
                resident,
                form.cleaned_data["option"],
                channel=VoterRoll.Channel.PAPER,
                recorded_by=request.user,
            )
        except ballots.VoteRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            # The worker saw the paper ballot anyway: showing the receipt loses no secrecy, and lets
            # the resident check the published log like anyone who voted online.
            messages.success(request, _("Paper ballot of %(name)s recorded.") % {"name": resident.public_name})
            context = {"topic": topic, "form": PaperBallotForm(topic), "receipt": receipt, "resident": resident}
            return TemplateResponse(request, "deliberations/admin/paper_ballot.html", context)
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request, "deliberations/admin/paper_ballot.html", {"topic": topic, "form": form}, status=status
    )


@community_scoped_view(pk=Scoped(Proposal, to="proposal", select_related=("community", "topic")))
def open_proposal(request, proposal):
    """Schedule the phases of a residents' proposal and open it as a topic; the topic editor does the rest."""
    if not request.user.has_perm("deliberations.add_topic"):
        raise PermissionDenied
    if proposal.topic_id:
        messages.info(request, _("This proposal is already open as a topic."))
        return redirect("wagtailsnippets_deliberations_topic:edit", proposal.topic_id)
    draft = Topic(community=proposal.community, proposal_starts=proposal.created_at)
    initial = {"title": proposal.title, "description": proposal.description}
    form = OpenProposalForm(request.POST or None, instance=draft, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            topic = proposals.open_as_topic(proposal, form.instance)
        except proposals.ProposalRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The proposal is open as a topic. Add documents and decision rules here."))
            return redirect("wagtailsnippets_deliberations_topic:edit", topic.pk)
    context = {"proposal": proposal, "form": form, "signed": proposal.cosignatures.count()}
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "deliberations/admin/open_proposal.html", context, status=status)


@community_scoped_view(pk=Scoped(Proposal, to="proposal", select_related=("community", "proposer")))
def decline_proposal(request, proposal):
    """Decline a residents' proposal with a reason that its page shows and its proposer is sent."""
    if not request.user.has_perm("deliberations.add_topic"):
        raise PermissionDenied
    if proposal.status in (Proposal.Status.OPENED, Proposal.Status.DECLINED):
        messages.info(request, _("This proposal is already open as a topic or declined."))
        return redirect("wagtailsnippets_deliberations_proposal:list")
    form = DeclineProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposals.decline(proposal, request.user, form.cleaned_data["reason"])
        except proposals.ProposalRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The proposal is declined; the proposer has been told why."))
            return redirect("wagtailsnippets_deliberations_proposal:list")
    context = {"proposal": proposal, "form": form, "signed": proposal.cosignatures.count()}
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "deliberations/admin/decline_proposal.html", context, status=status)
