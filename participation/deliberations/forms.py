from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateTimeInput

from portal.accounts.personal_text import screen_public_text
from portal.accounts.phone import normalise_phone

from .models import Comment, Proposal, Topic


class VoteForm(forms.Form):
    option = forms.ChoiceField(label=_("Your choice"), widget=forms.RadioSelect)
    nonce = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, topic, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [(str(o.pk), o.label) for o in topic.options.all()]
        choose = _("Choose one of the options of this topic.")
        self.fields["option"].error_messages.update(invalid_choice=choose, required=choose)


class CommentForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["stance", "body"]
        widgets = {"stance": forms.RadioSelect, "body": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}

    def clean_body(self):
        # Shown publicly: phone numbers, ID numbers and door numbers are masked before it is stored.
        return screen_public_text(self.cleaned_data["body"])


class PaperBallotForm(forms.Form):
    """A worker records the paper ballot of a resident who cannot vote online."""

    resident = forms.CharField(label=_("Resident (username or mobile phone)"), max_length=150)
    option = forms.ChoiceField(label=_("Choice on the paper ballot"))

    def __init__(self, topic, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [(str(o.pk), o.label) for o in topic.options.all()]

    def clean_resident(self):
        value = self.cleaned_data["resident"].strip()
        user = get_user_model().objects.filter(Q(username=value) | Q(phone=normalise_phone(value) or None)).first()
        if user is None:
            raise forms.ValidationError(_("No account with this username or phone number."))
        return user


MAX_OPTIONS = 10


class ProposalForm(forms.ModelForm):
    """A resident's proposal. What they typed is kept on every error."""

    class Meta:
        model = Proposal
        fields = ["title", "description", "options"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
            "options": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"options": _("One option per line, at least two, for example 同意 and 反对.")}

    def clean_options(self):
        labels = [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]
        if len(labels) < 2:
            raise forms.ValidationError(_("Give at least two options, one per line."))
        if len(labels) > MAX_OPTIONS:
            raise forms.ValidationError(_("Give at most %(n)d options.") % {"n": MAX_OPTIONS})
        if len(set(labels)) != len(labels):
            raise forms.ValidationError(_("Each option must be different."))
        if any(len(label) > 200 for label in labels):
            raise forms.ValidationError(_("An option can have at most 200 characters."))
        return labels


class OpenProposalForm(forms.ModelForm):
    """A worker schedules the phases of a proposal that has enough co-signers; the rest is edited afterwards."""

    class Meta:
        model = Topic
        fields = ["title", "description", "discussion_starts", "voting_starts", "voting_ends", "electorate", "min_age"]
        widgets = {
            "discussion_starts": AdminDateTimeInput,
            "voting_starts": AdminDateTimeInput,
            "voting_ends": AdminDateTimeInput,
        }


class DeclineProposalForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the proposal is declined"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the proposal's page and sent to the proposer."),
        error_messages={"required": _("Say why the proposal is declined: the proposer and the residents read it.")},
    )
