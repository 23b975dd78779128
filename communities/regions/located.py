"""Where a service or an organisation is on the map (电子地图): an optional point, WGS84, inside the city.

The abstract model gives a page the two fields, their check (boundaries.point_error, the one check that the
complaint form and the WeChat location use too) and the admin panel: the complaint form's pin map (the same
script, themes/base/complaint-map.js, drawing the page's community boundary) above the two number fields,
which work as typed without JavaScript. Offices and service points only: a
resident's home address is never put on a map.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, Panel

from .boundaries import point_error


class PinMapPanel(Panel):
    """The complaint form's pin map in the page editor; it fills the latitude and longitude fields."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "regions/admin/pin_map_panel.html"

        class Media:
            css = {"all": ["vendor/leaflet/leaflet.css", "themes/base/insights.css"]}
            js = ["vendor/leaflet/leaflet.js", "themes/base/complaint-map.js"]

        def get_context_data(self, parent_context=None):
            from .insights import community_of_path, community_roots
            from .models import Community

            context = super().get_context_data(parent_context)
            path = self.instance.path or getattr((parent_context or {}).get("parent_page"), "path", "")
            community_id = community_of_path(path, community_roots()) if path else None
            boundary = Community.objects.filter(pk=community_id).values_list("boundary", flat=True).first()
            context["map"] = {
                "boundary": boundary,
                "tiles": {"url": settings.PORTAL_MAP_TILE_URL, "attribution": settings.PORTAL_MAP_TILE_ATTRIBUTION},
                "bounds": list(settings.PORTAL_CITY_BOUNDS),
            }
            return context


class Located(models.Model):
    latitude = models.DecimalField(
        _("latitude (WGS84)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("Optional: where it is on the map, e.g. 30.5928. Leave both empty to keep it off the map."),
    )
    longitude = models.DecimalField(
        _("longitude (WGS84)"), max_digits=9, decimal_places=6, null=True, blank=True, help_text=_("e.g. 114.3055")
    )

    class Meta:
        abstract = True

    @classmethod
    def location_panel(cls):
        return MultiFieldPanel(
            [PinMapPanel(), FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")])],
            heading=_("Place on the map"),
        )

    def clean_fields(self, exclude=None):
        """The point is checked with the fields, unless one of them is already wrong (the form said so)."""
        errors = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        skip = set(exclude or ()) | set(errors)
        if not {"latitude", "longitude"} & skip:
            problem = point_error(self.latitude, self.longitude)
            if problem:
                errors.setdefault("latitude", []).append(problem)
        if errors:
            raise ValidationError(errors)
