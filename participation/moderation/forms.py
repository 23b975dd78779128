from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ModerationAction, Report

Kind = ModerationAction.Kind
MODERATOR_ACTIONS = [
    (k, Kind(k).label) for k in (Kind.HIDE, Kind.RESTORE, Kind.APPROVE, Kind.LOCK, Kind.UNLOCK, Kind.WARN)
] + [(Kind.SUSPEND, Kind.SUSPEND.label), (Kind.DISMISS, Kind.DISMISS.label)]


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Action"), choices=MODERATOR_ACTIONS)
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    days = forms.IntegerField(
        label=_("Suspension days"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Only for a suspension; leave empty to suspend until lifted."),
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why are you reporting this?"), choices=Report.Reason.choices)
    note = forms.CharField(label=_("Details (optional)"), max_length=500, required=False, widget=forms.Textarea)
