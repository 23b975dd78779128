"""Resident proposals: propose, co-sign, tell the workers once enough residents have signed, open as a topic."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.accounts.actions import decide
from portal.accounts.personal_text import screen_public_text
from portal.notifications.services import notify

from .models import CoSignature, DeliberationSettings, Option, Proposal, Topic


class ProposalRefused(Exception):
    """Not allowed; the message is for the resident."""


def why_not_propose(user, community) -> str | None:
    if not DeliberationSettings.for_community(community).residents_may_propose:
        return _("This community does not take topic proposals from residents. Ask the community office.")
    decision = decide(user, community, "deliberations.propose")
    return None if decision else decision.reason


def submit(user, community, title: str, description: str, options: list[str]) -> Proposal:
    refusal = why_not_propose(user, community)
    if refusal:
        raise ProposalRefused(refusal)
    needed = DeliberationSettings.for_community(community).cosigners_needed
    # Shown publicly: phone numbers, ID numbers and door numbers are masked before it is stored.
    title, description = screen_public_text(title), screen_public_text(description)
    options = [screen_public_text(option) for option in options]
    with transaction.atomic():
        proposal = Proposal.objects.create(
            community=community,
            proposer=user,
            title=title,
            description=description,
            options="\n".join(options),
            cosigners_needed=needed,
        )
        if needed == 0:
            _mark_ready(proposal)
    return proposal


def why_not_cosign(user, proposal: Proposal) -> str | None:
    if proposal.status == Proposal.Status.DECLINED:
        return _("The community office declined this proposal.")
    if proposal.status != Proposal.Status.COLLECTING:
        return _("This proposal already has enough co-signers.")
    if user.pk == proposal.proposer_id:
        return _("You proposed this topic: ask other residents to co-sign it.")
    decision = decide(user, proposal.community, "deliberations.cosign")
    return None if decision else decision.reason


def cosign(user, proposal: Proposal) -> Proposal:
    """Add the user's signature; the one that reaches the goal tells the community's workers."""
    try:
        with transaction.atomic():
            locked = Proposal.objects.select_for_update().select_related("community").get(pk=proposal.pk)
            refusal = why_not_cosign(user, locked)
            if refusal:
                raise ProposalRefused(refusal)
            CoSignature.objects.create(proposal=locked, user=user)
            if locked.cosignatures.count() >= locked.cosigners_needed:
                _mark_ready(locked)
    except IntegrityError as error:
        raise ProposalRefused(_("You have already co-signed this proposal.")) from error
    return locked


def _mark_ready(proposal: Proposal) -> None:
    proposal.ready_at = timezone.now()
    proposal.save(update_fields=["ready_at"])
    transaction.on_commit(lambda: notify_workers(proposal))


def community_workers(community):
    return community.editors_group.user_set.filter(is_active=True)


def notify_workers(proposal: Proposal) -> None:
    text = _("The residents' proposal “%(title)s” has enough co-signers: schedule its phases and open it.") % {
        "title": proposal.title
    }
    url = reverse("deliberations_open_proposal", args=[proposal.pk])
    for worker in community_workers(proposal.community):
        notify(worker, "deliberations.proposal.ready", text, url=url, key=f"deliberations.proposal.{proposal.pk}.ready")


@transaction.atomic
def decline(proposal: Proposal, worker, reason: str) -> Proposal:
    """A worker declines the proposal; the reason is shown on its page and sent to the proposer."""
    reason = reason.strip()
    if not reason:
        raise ProposalRefused(_("Say why the proposal is declined: the proposer and the residents read it."))
    locked = Proposal.objects.select_for_update().select_related("community").get(pk=proposal.pk)
    if locked.topic_id:
        raise ProposalRefused(_("This proposal is already open as a topic."))
    if locked.declined_at:
        raise ProposalRefused(_("This proposal has already been declined."))
    locked.declined_at, locked.declined_by, locked.decline_reason = timezone.now(), worker, reason
    locked.save(update_fields=["declined_at", "declined_by", "decline_reason"])
    with translation.override(settings.LANGUAGE_CODE):  # stored once, read in the site's language
        text = _("The community office declined your proposal “%(title)s”. Reason: %(reason)s") % {
            "title": locked.title,
            "reason": reason,
        }
    url = locked.community.site.root_url + reverse("deliberations:proposal", args=[locked.pk])
    key = f"deliberations.proposal.{locked.pk}.declined"
    transaction.on_commit(lambda: notify(locked.proposer, "deliberations.proposal.declined", text, url=url, key=key))
    return locked


@transaction.atomic
def open_as_topic(proposal: Proposal, topic: Topic) -> Topic:
    """Save the worker's scheduled `topic` with the proposal's options, and link the two."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.topic_id:
        raise ProposalRefused(_("This proposal is already open as a topic."))
    if locked.declined_at:
        raise ProposalRefused(_("This proposal has been declined: it cannot be opened."))
    topic.quorum_percent = DeliberationSettings.for_community(locked.community).default_quorum_percent
    topic.community_id = locked.community_id
    topic.proposal_starts = locked.created_at
    topic.save()
    for order, label in enumerate(locked.option_labels()):
        Option.objects.create(topic=topic, label=label, sort_order=order)
    locked.topic = topic
    locked.save(update_fields=["topic"])
    return topic
