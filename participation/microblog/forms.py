from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from participation.content.uploads import validate_image

from .models import MAX_IMAGES, MAX_TEXT


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ImagesField(forms.FileField):
    """Up to MAX_IMAGES images, each validated and re-encoded by the one upload pipeline."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if len(files) > MAX_IMAGES:
            raise ValidationError(_("At most %(n)d images per post.") % {"n": MAX_IMAGES}, code="too_many")
        return [validate_image(super(ImagesField, self).clean(f, initial)) for f in files]


def _text_field(required):
    # No max_length on the field: the form's clean says how long the text was.
    return forms.CharField(
        label=_("What is happening in the community?"),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_TEXT}),
        required=required,
        help_text=_("Up to %(n)d characters. #Topic# makes a topic, @username mentions someone.") % {"n": MAX_TEXT},
    )


def clean_text(value, required=True):
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(_("Please write something."), code="empty")
    if len(value) > MAX_TEXT:
        raise ValidationError(
            _("The text is too long (%(n)d characters; at most %(max)d).") % {"n": len(value), "max": MAX_TEXT},
            code="too_long",
        )
    if "\x00" in value:
        raise ValidationError(_("The text contains characters that cannot be stored."), code="nul")
    return value


class PostForm(forms.Form):
    text = _text_field(required=False)
    images = ImagesField(label=_("Images (up to 9)"), required=False)
    as_community = forms.BooleanField(label=_("Post in the community's name"), required=False)

    def __init__(self, *args, may_post_as_community=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_post_as_community:
            del self.fields["as_community"]

    def clean_text(self):
        return clean_text(self.cleaned_data.get("text"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("text") and not data.get("images") and "text" not in self.errors:
            self.add_error("text", ValidationError(_("Please write something."), code="empty"))
        return data


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_TEXT}), required=False
    )

    def clean_text(self):
        return clean_text(self.cleaned_data.get("text"))


class RepostForm(forms.Form):
    text = forms.CharField(
        label=_("Add a few words (optional)"),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_TEXT}),
        required=False,
    )

    def clean_text(self):
        return clean_text(self.cleaned_data.get("text"), required=False)
