"""A resident's deliberation comments in their data export. Ballots are never linked to a person."""

from django.dispatch import receiver

from portal.accounts.signals import personal_data_requested

from .models import Comment


@receiver(personal_data_requested)
def export_comments(sender, user, **kwargs):
    rows = Comment.objects.filter(author=user).values("topic__title", "stance", "body")
    return {
        "deliberation_comments": [
            {"topic": r["topic__title"], "stance": r["stance"], "comment": r["body"]} for r in rows
        ]
    }
