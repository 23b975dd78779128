"""/api/v1/organisations/: the organisations' open data (four tables, `opendata.RESOURCES`) under the one
API: `{table}.csv`, `{table}.json` and the Frictionless `datapackage.json` describing them."""

import csv
import io

from django.http import HttpResponse
from ninja import Router, Schema
from ninja.errors import HttpError

from portal.api.http import ERRORS
from portal.api.registry import register

from .opendata import RESOURCES, FilterError, Filters, csv_value, descriptor, json_value, parse_filters

router = Router(tags=["organisations"])

CSV_RESPONSE = {
    "responses": {
        "200": {
            "description": "The table as CSV (UTF-8 with BOM)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


class TableOut(Schema):
    resource: str
    filters: dict[str, str | None]
    count: int
    data: list[dict]


def _resource(name):
    resource = RESOURCES.get(name)
    if resource is None:
        raise HttpError(404, f"No table '{name[:50]}'. Tables: {', '.join(RESOURCES)}.")
    return resource


def _filters(request, resource):
    try:
        return parse_filters(request.GET, resource)
    except FilterError as exc:
        raise HttpError(400, str(exc)) from None


@router.get("/datapackage.json", response={200: dict}, summary="Frictionless Data Package of the four tables")
def datapackage(request):
    return descriptor(request.build_absolute_uri(request.path.rsplit("/", 1)[0] + "/"))


@router.get("/{table}.csv", response={**ERRORS}, openapi_extra=CSV_RESPONSE, summary="One table as CSV")
def table_csv(request, table: str, community: str | None = None, period: str | None = None):
    """`community=<slug>`, `period=<year>` (not for the organisations table)."""
    resource = _resource(table)
    filters = _filters(request, resource)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([f.name for f in resource.fields])
    for row in resource.rows(filters):
        writer.writerow([csv_value(row[f.name]) for f in resource.fields])
    response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{table}.csv"'
    return response


@router.get("/{table}.json", response={200: TableOut, **ERRORS}, summary="One table as JSON")
def table_json(request, table: str, community: str | None = None, period: str | None = None):
    resource = _resource(table)
    filters = _filters(request, resource)
    data = [{f.name: json_value(row[f.name]) for f in resource.fields} for row in resource.rows(filters)]
    return {"resource": table, "filters": {"community": community, "period": period}, "count": len(data), "data": data}


def _export_rows(resource):
    def rows(communities):
        community = communities.first() if communities is not None else None
        return resource.rows(Filters(community=community))

    return rows


def connect():
    from portal.api.opendata import Table
    from portal.api.registry import register_export

    register("organisations", router)
    for resource in RESOURCES.values():
        # The same tables as /api/v1/organisations/, in the daily packages (the Field lists are compatible).
        register_export(Table(f"organisation-{resource.name}", resource.title, resource.fields, _export_rows(resource)))
