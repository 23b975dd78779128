"""A resident's objections and nominations in their data export, and erased with their account.

Ballots are never linked to a person; the voter list is the election's public record.
"""

from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.accounts import erasure, export
from portal.accounts.signals import personal_data_requested

from .models import Candidate, Objection

export.register_labels(
    {
        "election_objections": _("Objections to voter lists"),
        "election_candidacies": _("Your candidacies"),
        "election": _("Election"),
        "post": pgettext_lazy("election", "Post"),
        "statement": _("Statement"),
    }
)
erasure.register_text(Objection, ["text"], own="author")
erasure.register_text(Objection, ["resolution"])  # a worker's answer may name the resident
erasure.register_text(Candidate, ["statement"], own="person")


@receiver(personal_data_requested)
def export_elections(sender, user, **kwargs):
    objections = Objection.objects.filter(author=user).values("election__title", "text", "status")
    candidacies = Candidate.objects.filter(person=user).values("election__title", "post__name", "statement")
    return {
        "election_objections": [{"election": r["election__title"], "text": r["text"]} for r in objections],
        "election_candidacies": [
            {"election": r["election__title"], "post": r["post__name"], "statement": r["statement"]}
            for r in candidacies
        ],
    }
