"""Complaints on the insights map (portal.insights.maps): where problems are, never who reported them.

A point carries its category, state and date only: no reporter, description, address or phone."""

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from portal.insights import maps

from .models import Complaint


def points(community_ids, start, end, category=None, limit=maps.POINT_LIMIT):
    rows = Complaint.objects.filter(
        community_id__in=community_ids,
        created_at__gte=start,
        created_at__lt=end,
        latitude__isnull=False,
        longitude__isnull=False,
    )
    if category:
        rows = rows.filter(category__service_code=category)
    rows = rows.select_related("category").only("latitude", "longitude", "state", "created_at", "category__name")
    return [
        [
            float(c.latitude),
            float(c.longitude),
            f"{c.category.name} · {c.get_state_display()} · {date_format(c.created_at, 'SHORT_DATE_FORMAT')}",
        ]
        for c in rows.order_by("-created_at")[:limit]
    ]


def register():
    maps.register_points(maps.PointLayer("complaints", _("Complaints"), points, order=10))
