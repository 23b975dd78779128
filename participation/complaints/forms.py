from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.regions.boundaries import point_error
from participation.content.uploads import max_bytes, validate_image
from portal.accounts.phone import normalise_phone, validate_mobile
from portal.core import widgets

from . import attributes
from .geo import gcj02_to_wgs84
from .models import DESCRIPTION_MAX_LENGTH, MAX_PHOTOS, Complaint, ServiceCategory


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe); cleaned as a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class AttributeField(forms.Field):
    """One service attribute's answer, passed raw to attributes.validate() (the one validator) by the
    form's clean(): `required` only marks the label, since only the chosen category's answers count."""

    def validate(self, value):
        pass


def attribute_field(attribute: attributes.Attribute) -> AttributeField:
    widgets = {
        "text": forms.Textarea(attrs={"rows": 3}),
        "number": forms.TextInput(attrs={"inputmode": "decimal"}),
        "datetime": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        "singlevaluelist": forms.Select(choices=[("", "---------"), *attribute.choices]),
        "multivaluelist": forms.CheckboxSelectMultiple(choices=attribute.choices),
    }
    return AttributeField(
        label=attribute.description,
        required=attribute.required,
        help_text=attribute.help,
        widget=widgets.get(attribute.datatype, forms.TextInput),
    )


class ComplaintForm(forms.ModelForm):
    description = forms.CharField(
        label=_("What happened?"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Up to %(max)s characters.") % {"max": DESCRIPTION_MAX_LENGTH},
    )
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    photos = MultipleFileField(label=_("Photos"), required=False)
    coordinate_system = forms.ChoiceField(
        label=_("The map point is in"),
        choices=[("wgs84", _("WGS84 (GPS)")), ("gcj02", _("GCJ-02 (Chinese web maps)"))],
        initial="wgs84",
        required=False,
    )

    class Meta:
        model = Complaint
        fields = [
            "kind",
            "category",
            "description",
            "address",
            "latitude",
            "longitude",
            "public",
            "contact_preference",
            "contact_phone",
            "share_contact_with_city",
        ]
        labels = {"address": _("Where (address in the community)")}

    def __init__(self, *args, community, complaint_settings, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        self.complaint_settings = complaint_settings
        hidden = complaint_settings.hidden_categories.all() if complaint_settings.pk else []
        self.fields["category"].queryset = ServiceCategory.objects.filter(retired=False).exclude(pk__in=hidden)
        self.fields["category"].error_messages["required"] = _("Choose a category.")
        self.fields["kind"].error_messages["required"] = _("Choose what kind of matter this is.")
        self.order_fields([*self.Meta.fields[:6], "coordinate_system"])
        self.fields["photos"].help_text = _("Up to %(max)s photos (JPEG, PNG, GIF or WebP), each up to %(mb)s MB.") % {
            "max": MAX_PHOTOS,
            "mb": round(max_bytes() / 1048576, 1),
        }
        # The city's questions of every category that has some; only the chosen category's count.
        self.attribute_groups = []
        for category in self.fields["category"].queryset.exclude(attributes=[]):
            names = []
            for attribute in attributes.definitions(category):
                name = self.attribute_name(category, attribute.code)
                self.fields[name] = attribute_field(attribute)
                names.append(name)
            if names:
                self.attribute_groups.append((category, names))

    @staticmethod
    def attribute_name(category, code: str) -> str:
        return f"attribute_{category.pk}_{code}"

    def attribute_fieldsets(self):
        """(category, bound fields) for the template: one fieldset per category with questions."""
        return [(category, [self[name] for name in names]) for category, names in self.attribute_groups]

    def clean_photos(self):
        """Each photo decoded and re-encoded (participation.content.uploads); every bad one named."""
        files = self.cleaned_data.get("photos") or []
        if len(files) > MAX_PHOTOS:
            raise ValidationError(
                _("You can attach up to %(max)s photos; you chose %(count)s.")
                % {"max": MAX_PHOTOS, "count": len(files)}
            )
        images, errors = [], []
        for uploaded in files:
            try:
                images.append(validate_image(uploaded))
            except ValidationError as exc:
                errors += [_("%(file)s: %(error)s") % {"file": uploaded.name, "error": m} for m in exc.messages]
        if errors:
            raise ValidationError(errors)
        return images

    def clean_contact_phone(self):
        phone = normalise_phone(self.cleaned_data.get("contact_phone", ""))
        if phone:
            validate_mobile(phone)
        return phone

    def clean(self):
        cleaned = super().clean()
        lat, lon = cleaned.get("latitude"), cleaned.get("longitude")
        if not {"latitude", "longitude"} & set(self.errors):
            if lat is not None and lon is not None and cleaned.get("coordinate_system") == "gcj02":
                lat, lon = gcj02_to_wgs84(lat, lon)
            # The region's boundary (Community.boundary, set in the admin's Regions), or the city's box.
            problem = point_error(lat, lon, self.community.boundary, self.community)
            if problem:
                self.add_error("latitude", problem)
            elif lat is not None:
                cleaned["latitude"] = Decimal(f"{lat:.6f}")
                cleaned["longitude"] = Decimal(f"{lon:.6f}")
        if cleaned.get("contact_preference") == Complaint.Contact.PHONE and not cleaned.get("contact_phone"):
            self.add_error("contact_phone", _("Give a phone number if you want to be called."))
        self._clean_attributes(cleaned)
        return cleaned

    def _clean_attributes(self, cleaned):
        answers = {}
        category = cleaned.get("category")
        for group_category, names in self.attribute_groups:
            for name in names:
                value = cleaned.pop(name, None)
                if category and group_category.pk == category.pk:
                    answers[name.removeprefix(self.attribute_name(category, ""))] = value
        if category is None:
            return
        cleaned["attributes"], errors = attributes.validate(category, answers)
        for code, messages in errors.items():
            self.add_error(self.attribute_name(category, code), messages)


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Are you satisfied with the result?"), choices=Complaint.Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=pgettext_lazy("complaint", "Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MirrorFilterForm(forms.Form):
    """反光镜's filters. `categories`: the category choices as (id, name) from the site map (`sites.site_fact`
    "mirror_categories"), so that showing the filter asks no query (a chosen category is still looked up);
    the blank selects are rendered once per process (portal.core.widgets)."""

    category = forms.ModelChoiceField(
        label=_("Category"), queryset=ServiceCategory.objects.all(), required=False, widget=widgets.Select
    )
    status = forms.ChoiceField(label=_("Status"), required=False, widget=widgets.Select)

    def __init__(self, *args, categories=None, **kwargs):
        from .models import CaseState

        super().__init__(*args, **kwargs)
        if categories is not None:
            field = self.fields["category"]
            field.choices = [("", field.empty_label), *categories]
        # Labels as text: the blank select's key (portal.core.widgets) would translate each lazy one to hash it.
        states = [(value, str(label)) for value, label in CaseState.choices if value != "submitted"]
        self.fields["status"].choices = [("", str(_("All"))), *states]

    @property
    def sitewide_key(self) -> tuple:
        """For `{% sitewide with filters=filters %}` (反光镜): a blank form shows its fields and their choices, the
        same for every visitor. A form with values (a chosen filter, a page) is never memoised."""
        if self.is_bound:
            raise ValueError("Only a blank MirrorFilterForm is rendered in {% sitewide %}.")
        return (type(self).__qualname__, *(tuple(field.choices) for field in self.fields.values()))
