"""The map page of the insights dashboard (电子地图): areas shaded by a figure, points, and the same figures
in a table beside the map. Scoped like every figure (query.communities_in, on the one scoping function)."""

from django import forms
from django.conf import settings
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.search import places

from . import dashboard, export, maps, query, rollup
from .forms import FilterForm
from .views import _require_staff

LEVEL_CHOICES = [
    ("community", gettext_lazy("Communities")),
    ("street", gettext_lazy("Streets")),
    ("district", gettext_lazy("Districts")),
]


class MapForm(FilterForm):
    shading = forms.ChoiceField(label=gettext_lazy("Shade the areas by"))
    level = forms.ChoiceField(label=gettext_lazy("Areas"), choices=LEVEL_CHOICES)

    def __init__(self, data, user, *args, **kwargs):
        data = data.copy() if data is not None else {}
        choices = [(s.key, s.label) for s in maps.shadings()]
        if choices:
            data.setdefault("shading", choices[0][0])
        if not data.get("level"):
            data["level"] = default_level(user, data.get("area", ""))
        super().__init__(data, user, *args, **kwargs)
        self.fields["shading"].choices = choices


def default_level(user, area: str) -> str:
    """The areas a map shows first: the largest kind of which the communities in view make more than one (the
    city's staff see its districts, a street's staff its communities), so that the first map of a city does not
    draw and tabulate every one of its 700 communities; every level stays one choice away."""
    kind, _sep, pk = (area or "").partition(":")
    region = (kind, int(pk)) if kind in query.LEVELS and pk.isdigit() else None
    try:
        community_ids = query.communities_in(user, region)
    except query.InsightsError:
        return "community"  # the form reports the area
    everywhere = places.all_places()
    found = [everywhere[pk] for pk in community_ids if pk in everywhere]
    for level in ("district", "street"):
        if len({query.region_of(place, level) for place in found}) > 1:
            return level
    return "community"


def build(user, cleaned) -> dict:
    """The areas (GeoJSON features with their value), the table rows and the point layers, as of one moment
    (one snapshot: the shading and its parts share today's figures)."""
    with query.snapshot():
        return _build(user, cleaned)


def _build(user, cleaned) -> dict:
    area, level, category = cleaned["area_tuple"], cleaned["level"], cleaned.get("category") or None
    start, end = cleaned["start"], cleaned["end"]
    shading = maps.shading(cleaned["shading"])
    community_ids = query.communities_in(user, area)

    def by_region(key):
        return query.figures_by_region(user, key, start, end, level=level, region=area, dimension=category)

    values = by_region(shading.key)
    parts = list(dict.fromkeys(shading.numerator + shading.denominator))
    part_values = {key: by_region(key) for key in parts}
    if level == "community":
        ids = set(community_ids)
    else:
        everywhere = places.all_places()
        ids = {query.region_of(everywhere[c], level) for c in community_ids if c in everywhere} - {None}
    found = maps.areas(level, ids)
    features, rows = [], []
    for pk in sorted(ids, key=lambda pk: found[pk].name if pk in found else str(pk)):
        info = found.get(pk)
        if info is None:
            continue
        value = values.get(pk)
        rows.append([info.name, value, *[part_values[key].get(pk, 0) for key in parts]])
        if info.boundary:
            features.append(
                {"type": "Feature", "geometry": info.boundary, "properties": {"name": info.name, "value": value}}
            )
    period_start, _end = rollup.day_bounds(start)
    _start, period_end = rollup.day_bounds(end)
    layers = []
    for layer in maps.layers():
        points = layer.points(community_ids, period_start, period_end, category, maps.POINT_LIMIT + 1)
        layers.append(
            {
                "key": layer.key,
                "label": str(layer.label),
                "points": points[: maps.POINT_LIMIT],
                "more": len(points) > maps.POINT_LIMIT,
            }
        )
    columns = [_("Area"), str(shading.label), *[str(query.registry.get(key).label) for key in parts]]
    return {
        "shading": shading,
        "columns": columns,
        "rows": rows,
        "missing_boundaries": len(rows) - len(features),
        "data": {
            "areas": {"type": "FeatureCollection", "features": features},
            "layers": layers,
            "legend": str(shading.label),
            "tiles": {"url": settings.PORTAL_MAP_TILE_URL, "attribution": settings.PORTAL_MAP_TILE_ATTRIBUTION},
            "bounds": list(settings.PORTAL_CITY_BOUNDS),
            "noData": _("no data"),
        },
    }


def summary(built) -> str:
    rows = [r for r in built["rows"] if r[1] is not None]
    points = sum(len(layer["points"]) for layer in built["data"]["layers"])
    if not rows:
        text = _("%(count)s areas; none has a value for this figure in the period.") % {"count": len(built["rows"])}
    else:
        top = max(rows, key=lambda r: r[1])
        text = _("%(count)s areas. Highest: %(area)s (%(value)s).") % {
            "count": len(built["rows"]),
            "area": top[0],
            "value": top[1],
        }
    text += " " + _("%(points)s points on the map.") % {"points": points}
    if any(layer["more"] for layer in built["data"]["layers"]):
        text += " " + _("Only the latest %(limit)s of a layer are drawn.") % {"limit": maps.POINT_LIMIT}
    if built["missing_boundaries"]:
        text += " " + _("%(count)s areas have no boundary yet (admin: Regions, Communities).") % {
            "count": built["missing_boundaries"]
        }
    return text


def bad_request(reason: str) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(reason, content_type="text/plain; charset=utf-8")


def form_problems(form) -> str:
    """The form's errors as one line of text (a 400's reason): "field: error" each."""
    return " ".join(
        f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    )


def map_page(request):
    """电子地图: bad filters (dates out of order, an area outside the scope, an unknown figure) are form
    errors with a 400, never a 500. ?export=csv gives the table by region (UTF-8 with a BOM), built and scoped
    exactly like the map; bad parameters are a 400 with the reason."""
    _require_staff(request)
    form = MapForm(request.GET, request.user)
    exporting = request.GET.get("export")
    if exporting and exporting != "csv":
        return bad_request(_("Unknown export format."))
    context = {"form": form, "error": "", "built": None}
    if form.is_valid():
        try:
            built = build(request.user, form.cleaned_data)
        except query.InsightsError as problem:
            context["error"] = str(problem)
        else:
            context["built"] = built
            context["summary"] = summary(built)
            link = request.GET.copy()
            link["export"] = "csv"
            context["csv_query"] = link.urlencode()
    if exporting:
        if form.errors or context["error"]:
            return bad_request(context["error"] or form_problems(form))
        return export.csv_response(map_table(context["built"], context["summary"]), map_filename(form.cleaned_data))
    status = 400 if (context["error"] or form.errors) else 200
    return render(request, "insights/admin/map.html", context, status=status)


def map_table(built, text) -> dashboard.Table:
    return dashboard.Table(
        key="map", title=str(built["shading"].label), summary=text, columns=built["columns"], rows=built["rows"]
    )


def map_filename(cleaned) -> str:
    """insights-map-<level>-<shading>-<start>-<end> (the shading's key made safe for a file name)."""
    shading = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in cleaned["shading"])
    return f"insights-map-{cleaned['level']}-{shading}-{cleaned['start']}-{cleaned['end']}"
