"""Service directory entries on the insights map (portal.insights.maps): the services that staff placed on the
map (ServicePage.latitude/longitude), in the communities the viewer may act for. The directory as it stands:
live entries first published before the end of the period, whatever the complaint category chosen."""

from django.utils.translation import gettext_lazy as _

from communities.regions.insights import community_of_path, community_roots
from portal.insights import maps

from .models import ServicePage


def points(community_ids, start, end, category=None, limit=maps.POINT_LIMIT):
    roots = {path: pk for path, pk in community_roots().items() if pk in community_ids}
    kinds = dict(ServicePage.Kind.choices)
    rows = (
        ServicePage.objects.live()
        .filter(latitude__isnull=False, longitude__isnull=False, first_published_at__lt=end)
        .order_by("path")
        .values_list("path", "title", "kind", "latitude", "longitude")
    )
    found = []
    for path, title, kind, latitude, longitude in rows.iterator():
        if community_of_path(path, roots) is None:
            continue
        found.append([float(latitude), float(longitude), f"{title} · {kinds.get(kind, kind)}"])
        if len(found) >= limit:
            break
    return found


def register():
    maps.register_points(maps.PointLayer("services", _("Service directory"), points, order=20))
