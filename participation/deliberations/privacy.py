"""A resident's deliberation comments, proposals and co-signatures in their data export.

Ballots are never linked to a person.
"""

from django.dispatch import receiver

from portal.accounts.signals import personal_data_requested

from .models import Comment, CoSignature, Proposal


@receiver(personal_data_requested)
def export_deliberations(sender, user, **kwargs):
    comments = Comment.objects.filter(author=user).values("topic__title", "stance", "body")
    proposed = Proposal.objects.filter(proposer=user).values("title", "description", "options", "created_at")
    signed = CoSignature.objects.filter(user=user).values("proposal__title", "signed_at")
    return {
        "deliberation_comments": [
            {"topic": r["topic__title"], "stance": r["stance"], "comment": r["body"]} for r in comments
        ],
        "deliberation_proposals": list(proposed),
        "deliberation_cosignatures": [{"proposal": r["proposal__title"], "signed_at": r["signed_at"]} for r in signed],
    }
