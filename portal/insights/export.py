"""CSV (UTF-8 with a BOM, so Excel reads the Chinese) of one table; an XLSX workbook of a dashboard. A table is
anything with `columns` and `rows` (and optionally `footer`, a last row such as an average)."""

import csv
import io
from datetime import datetime

from django.http import HttpResponse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from openpyxl import Workbook

from .registry import Link


def _cell(value):
    """A cell as a spreadsheet holds it: a link's text, a moment in local time, never a formula."""
    if value is None:
        return ""
    if isinstance(value, Link):
        value = value.text
    if isinstance(value, datetime):
        return date_format(localtime(value), "Y-m-d H:i")
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never a formula in a spreadsheet
    return value


def csv_response(table, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_cell(v) for v in row])
    if getattr(table, "footer", None):
        writer.writerow([_cell(v) for v in table.footer])
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(tables, filename: str) -> HttpResponse:
    workbook = Workbook()
    workbook.remove(workbook.active)
    used = set()
    for table in tables:
        # Sheet titles: at most 31 characters, no []:*?/\ and unique.
        title = "".join(ch for ch in str(table.title) if ch not in "[]:*?/\\")[:28] or "sheet"
        base, n = title, 1
        while title in used:
            n += 1
            title = f"{base[:26]}-{n}"
        used.add(title)
        sheet = workbook.create_sheet(title)
        sheet.append([str(table.summary)])
        sheet.append([str(c) for c in table.columns])
        for row in table.rows:
            sheet.append([_cell(v) for v in row])
        if table.footer:
            sheet.append([_cell(v) for v in table.footer])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
