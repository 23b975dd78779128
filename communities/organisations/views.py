"""Open data endpoints: /open-data/organisations/<table>.csv|.json and datapackage.json."""

import csv
import io
import json

from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_GET

from .opendata import RESOURCES, FilterError, csv_value, descriptor, json_value, parse_filters


def _open(response):
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _resource(name):
    resource = RESOURCES.get(name)
    if resource is None:
        raise Http404
    return resource


@require_GET
def table_csv(request, name):
    resource = _resource(name)
    try:
        filters = parse_filters(request.GET, resource)
    except FilterError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f.name for f in resource.fields])
    for row in resource.rows(filters):
        writer.writerow([csv_value(row[f.name]) for f in resource.fields])
    response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.csv"'
    return _open(response)


@require_GET
def table_json(request, name):
    resource = _resource(name)
    try:
        filters = parse_filters(request.GET, resource)
    except FilterError as exc:
        return _open(JsonResponse({"error": str(exc)}, status=400))
    data = [{f.name: json_value(row[f.name]) for f in resource.fields} for row in resource.rows(filters)]
    body = {
        "resource": name,
        "filters": {"community": request.GET.get("community"), "period": request.GET.get("period")},
        "count": len(data),
        "data": data,
    }
    return _open(HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8"))


@require_GET
def datapackage(request):
    base = request.build_absolute_uri(request.path.rsplit("/", 1)[0] + "/")
    return _open(
        HttpResponse(json.dumps(descriptor(base), ensure_ascii=False, indent=2), content_type="application/json")
    )
