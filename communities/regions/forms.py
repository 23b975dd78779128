"""The admin form that sets a region's or a community's boundary: pasted GeoJSON or a .geojson file."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .boundaries import clean_boundary, max_bytes


class BoundaryField(forms.JSONField):
    """GeoJSON text; malformed JSON is the same clear message as a malformed geometry."""

    default_error_messages = {"invalid": _("This is not valid GeoJSON (JSON could not be read).")}
    widget = forms.Textarea(attrs={"rows": 6, "spellcheck": "false"})


class BoundaryForm(WagtailAdminModelForm):
    boundary_file = forms.FileField(
        label=_("Boundary file"),
        required=False,
        help_text=_(
            "A .geojson file from a GIS tool (a Polygon or MultiPolygon, or one Feature); it replaces the text above."
        ),
    )

    class Meta:
        field_classes = {"boundary": BoundaryField}

    def clean_boundary(self):
        return clean_boundary(self.cleaned_data.get("boundary"))

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("boundary_file")
        if upload:
            if upload.size > max_bytes():
                self.add_error(
                    "boundary_file",
                    ValidationError(
                        _("The file is larger than %(size)s kB; simplify the boundary first."),
                        code="boundary_too_large",
                        params={"size": max_bytes() // 1000},
                    ),
                )
                return cleaned
            try:
                cleaned["boundary"] = clean_boundary(upload.read().decode("utf-8-sig"))
            except UnicodeDecodeError:
                self.add_error("boundary_file", _("The file is not UTF-8 text."))
            except ValidationError as error:
                self.add_error("boundary_file", error)
        return cleaned
