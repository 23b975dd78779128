"""Open data: daily exports of the public records as Frictionless Data Packages, per community and
city-wide. Parts register tables (`registry.register_export(Table(...))`); each package holds every
table as CSV (UTF-8) and JSON, and a `datapackage.json` with each resource's schema, licence and date.

    manage.py export_open_data [--out DIR] [--community SLUG]

writes DIR/<date>/city/ and DIR/<date>/<community slug>/ (DIR defaults to settings.OPEN_DATA_ROOT).
"""

import csv
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone

LICENCES = {
    "CC-BY-4.0": {
        "name": "CC-BY-4.0",
        "title": "Creative Commons Attribution 4.0",
        "path": "https://creativecommons.org/licenses/by/4.0/",
    },
    "CC0-1.0": {
        "name": "CC0-1.0",
        "title": "Creative Commons Zero 1.0",
        "path": "https://creativecommons.org/publicdomain/zero/1.0/",
    },
}


@dataclass
class Field:
    name: str
    type: str  # Frictionless Table Schema types: string, integer, number, boolean, date, datetime
    description: str


@dataclass
class Table:
    """One open-data table: `rows(communities)` yields dicts for the given communities (a queryset), or
    for every community when None. Only public records, only the listed fields."""

    name: str
    title: str
    fields: list
    rows: object


def licence() -> dict:
    return LICENCES.get(settings.OPEN_DATA_LICENCE, LICENCES["CC-BY-4.0"])


def _value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime):
        return value.astimezone(timezone.get_current_timezone()).replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_package(folder: Path, name: str, title: str, tables, communities=None, day: date | None = None) -> Path:
    """Write every table (CSV + JSON) and the datapackage.json describing them into `folder`."""
    day = day or timezone.localdate()
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    for table in tables:
        rows = [{f.name: _value(row.get(f.name)) for f in table.fields} for row in table.rows(communities)]
        with open(folder / f"{table.name}.csv", "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow([f.name for f in table.fields])
            writer.writerows([[row[f.name] for f in table.fields] for row in rows])
        (folder / f"{table.name}.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
        resources.append(
            {
                "name": table.name,
                "title": str(table.title),
                "path": f"{table.name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "licenses": [licence()],
                "schema": {
                    "fields": [{"name": f.name, "type": f.type, "description": f.description} for f in table.fields],
                    "missingValues": [""],
                },
                "date": day.isoformat(),
            }
        )
    descriptor = {
        "profile": "tabular-data-package",
        "name": name,
        "title": str(title),
        "licenses": [licence()],
        "created": timezone.now().replace(microsecond=0).isoformat(),
        "date": day.isoformat(),
        "resources": resources,
    }
    path = folder / "datapackage.json"
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
