"""Areas for the insights map (portal.insights.maps): each community's and region's name and boundary."""

from portal.insights import maps

from .models import Community, Region


def areas(level, ids):
    model = Community if level == "community" else Region
    rows = model.objects.filter(pk__in=ids).values_list("pk", "name", "boundary")
    return {pk: maps.Area(name, boundary) for pk, name, boundary in rows}


def register():
    maps.register_areas(areas)
