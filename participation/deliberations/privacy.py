"""A resident's deliberation comments, proposals and co-signatures in their data export.

Ballots are never linked to a person.
"""

from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from portal.accounts import erasure, export
from portal.accounts.signals import personal_data_requested

from .models import Comment, CoSignature, ImplementationUpdate, Proposal, ScheduleChange

export.register_labels(
    {
        "deliberation_comments": _("Comments on deliberations"),
        "topic": _("Topic"),
        "stance": _("Stance"),
        "comment": _("Comment"),
        "deliberation_proposals": _("Topics you proposed"),
        "options": _("Options"),
        "deliberation_cosignatures": _("Proposals you co-signed"),
        "proposal": _("Proposal"),
        "signed_at": _("Signed"),
    }
)
STANCES = dict(Comment.Stance.choices)
erasure.register_text(Comment, ["body"], own="author")
erasure.register_text(Proposal, ["title", "description", "options"], own="proposer")
erasure.register_text(ImplementationUpdate, ["note"])  # workers' notes may name a resident
erasure.register_text(ScheduleChange, ["reason"])  # a worker's published reason may name a resident


@receiver(personal_data_requested)
def export_deliberations(sender, user, **kwargs):
    comments = Comment.objects.filter(author=user).values("topic__title", "stance", "body")
    proposed = Proposal.objects.filter(proposer=user).values("title", "description", "options", "created_at")
    signed = CoSignature.objects.filter(user=user).values("proposal__title", "signed_at")
    return {
        "deliberation_comments": [
            {"topic": r["topic__title"], "stance": str(STANCES.get(r["stance"], r["stance"])), "comment": r["body"]}
            for r in comments
        ],
        "deliberation_proposals": list(proposed),
        "deliberation_cosignatures": [{"proposal": r["proposal__title"], "signed_at": r["signed_at"]} for r in signed],
    }
