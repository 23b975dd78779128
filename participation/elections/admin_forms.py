from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import VoterListEntry


class CandidateForm(WagtailAdminModelForm):
    """A nomination by the election committee: the person by their number on the election's voter list
    (no list of every account's name in the admin)."""

    voter_number = forms.IntegerField(label=_("Voter number"), min_value=1, max_value=10**9)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            entry = VoterListEntry.objects.filter(election_id=self.instance.election_id, user=self.instance.person_id)
            self.initial["voter_number"] = entry.values_list("number", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        election, post, number = cleaned.get("election"), cleaned.get("post"), cleaned.get("voter_number")
        if election and post and post.election_id != election.pk:
            self.add_error("post", _("Choose a post of this election."))
        if election and number:
            entry = VoterListEntry.objects.filter(election=election, number=number, struck=False).first()
            if entry is None:
                self.add_error("voter_number", _("No voter with this number is on the list."))
            else:
                self.instance.person_id = entry.user_id
        return cleaned
