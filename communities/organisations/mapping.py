"""Social organisations on the insights map (portal.insights.maps): the offices that staff placed on the map
(OrganisationPage.latitude/longitude), live, in their home community (as in the compliance figures) when the
viewer may act for it. An organisation's office, never a person's address."""

from django.utils.translation import gettext_lazy as _

from communities.regions.insights import community_of_path, community_roots
from portal.insights import maps

from .models import OrganisationPage


def points(community_ids, start, end, category=None, limit=maps.POINT_LIMIT):
    roots = {path: pk for path, pk in community_roots().items() if pk in community_ids}
    rows = (
        OrganisationPage.objects.live()
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("path")
        .values_list("path", "title", "latitude", "longitude")
    )
    found = []
    for path, title, latitude, longitude in rows.iterator():
        if community_of_path(path, roots) is None:
            continue
        found.append([float(latitude), float(longitude), title])
        if len(found) >= limit:
            break
    return found


def register():
    maps.register_points(maps.PointLayer("organisations", _("Social organisations"), points, order=30))
