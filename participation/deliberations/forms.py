from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.accounts.phone import normalise_phone

from .models import Comment


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
