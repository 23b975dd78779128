from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from participation.content.uploads import validate_image

from .models import ForumCategory
from .services import MAX_BODY


def clean_body(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("Please write something."), code="empty")
    if len(value) > MAX_BODY:
        raise ValidationError(
            _("The text is too long (%(n)d characters; at most %(max)d).") % {"n": len(value), "max": MAX_BODY},
            code="too_long",
        )
    if "\x00" in value:
        raise ValidationError(_("The text contains characters that cannot be stored."), code="nul")
    return value


class BodyForm(forms.Form):
    # No max_length on the field: the clean method gives a message that says how long it was.
    body = forms.CharField(label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    image = forms.FileField(label=_("Image (optional)"), required=False)

    def clean_body(self):
        return clean_body(self.cleaned_data.get("body"))

    def clean_image(self):
        uploaded = self.cleaned_data.get("image")
        return validate_image(uploaded) if uploaded else None


class ThreadForm(BodyForm):
    title = forms.CharField(label=_("Title"), max_length=120)
    category = forms.ModelChoiceField(label=pgettext_lazy("forum", "Category"), queryset=ForumCategory.objects.none())
    field_order = ["category", "title", "body", "image"]

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ForumCategory.objects.filter(community=community)

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise ValidationError(_("Please give the thread a title."))
        return title


class ReplyForm(BodyForm):
    reply_to = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    quote = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    @property
    def sitewide_key(self):
        """For `{% sitewide with form=form %}` (the thread page): a blank form shows its fields only, the same
        for every reader. A form with values (a quote, a reply sent back) is never memoised."""
        if self.is_bound or self.initial:
            raise ValueError("Only a blank ReplyForm is rendered in {% sitewide %}.")
        return type(self).__qualname__
