"""A resident's poll answers (those not given anonymously) in their data export; deletion unlinks them."""

from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from portal.accounts import erasure, export
from portal.accounts.signals import account_deleted, personal_data_requested

from .models import Answer, Participation, Response

export.register_labels(
    {
        "polls_answered": _("Polls you answered"),
        "poll": _("Poll"),
        "on": _("On"),
        "poll_answers": _("Your poll answers"),
        "question": _("Question"),
        "answer": _("Answer"),
    }
)

# Free-text answers count on, without the person's data in them.
erasure.register_text(Answer, ["value"], own="response__respondent")


@receiver(personal_data_requested)
def export_polls(sender, user, **kwargs):
    answered = Participation.objects.filter(user=user).values_list("poll__title", "answered_on")
    answers = Answer.objects.filter(response__respondent=user).values_list(
        "response__poll__title", "question_key", "value"
    )
    return {
        "polls_answered": [{"poll": title, "on": day.isoformat()} for title, day in answered],
        "poll_answers": [{"poll": title, "question": key, "answer": value} for title, key, value in answers],
    }


@receiver(account_deleted)
def unlink_responses(sender, user, **kwargs):
    # The answers keep counting in the results; nothing links them to the person any more.
    Response.objects.filter(respondent=user).update(respondent=None)
