"""What every read endpoint shares: per-IP throttling, cursor pagination, CSV, conditional GET and CORS."""

import base64
import binascii
import csv
import io
from datetime import date, datetime
from decimal import Decimal
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.middleware.http import ConditionalGetMiddleware
from django.utils.decorators import decorator_from_middleware
from django.utils.http import http_date
from ninja import Schema
from ninja.errors import HttpError
from ninja.throttling import SimpleRateThrottle
from pydantic import create_model

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class IpThrottle(SimpleRateThrottle):
    """Requests per client address (REMOTE_ADDR: NINJA_NUM_PROXIES = 0, a client's X-Forwarded-For is
    never trusted), at settings.PORTAL_API_RATE (e.g. "120/m"); read at each request."""

    scope = "api-ip"

    def __init__(self):
        super().__init__(getattr(settings, "PORTAL_API_RATE", "120/m"))

    def allow_request(self, request) -> bool:
        self.rate = getattr(settings, "PORTAL_API_RATE", "120/m")
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request):
        return f"throttle_{self.scope}_{self.get_ident(request)}"


class Error(Schema):
    detail: str


ERRORS = {400: Error, 404: Error}


def page_of(item_schema) -> type:
    """The response of a list endpoint: `items` and the `next_cursor` to ask for the following page."""
    return create_model(
        f"{item_schema.__name__}Page",
        __base__=Schema,
        items=(list[item_schema], ...),
        next_cursor=(str | None, None),
    )


def _decode_cursor(cursor: str) -> int:
    try:
        value = base64.urlsafe_b64decode(cursor.encode("ascii") + b"==").decode("ascii")
        number = int(value)
    except (binascii.Error, UnicodeError, ValueError):
        raise HttpError(400, "cursor: not a cursor this API gave out") from None
    if not 0 < number < 2**63:
        raise HttpError(400, "cursor: not a cursor this API gave out")
    return number


def _encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode("ascii")).decode("ascii").rstrip("=")


def paginate(queryset, cursor: str | None, limit: int):
    """Newest first (by id, descending), `limit` rows after the cursor: (rows, next_cursor)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise HttpError(400, f"limit: between 1 and {MAX_LIMIT}")
    if cursor:
        queryset = queryset.filter(pk__lt=_decode_cursor(cursor))
    rows = list(queryset.order_by("-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (_encode_cursor(rows[-1].pk) if more else None)


def set_last_modified(response, moments) -> None:
    """Last-Modified from the latest of the given datetimes (None ignored)."""
    moments = [m for m in moments if m is not None]
    if moments and response is not None:
        response["Last-Modified"] = http_date(max(moments).timestamp())


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def csv_response(schema, rows: list[dict], filename: str, next_cursor: str | None = None) -> HttpResponse:
    """Rows as CSV (UTF-8 with BOM for spreadsheet programs), columns in the schema's field order; the
    next page's cursor in a `Link`-style header, as CSV has nowhere else to put it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    names = list(schema.model_fields)
    writer.writerow(names)
    for row in rows:
        writer.writerow([_csv_value(row.get(name)) for name in names])
    response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}.csv"'
    if next_cursor:
        response["X-Next-Cursor"] = next_cursor
    return response


def check_format(format: str) -> str:
    if format not in ("json", "csv"):
        raise HttpError(400, "format: json or csv")
    return format


_conditional = decorator_from_middleware(ConditionalGetMiddleware)

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Retry-After, X-Next-Cursor",
    "Access-Control-Max-Age": "86400",
}


def read_api_view(view):
    """Wrap a read-API view: CORS for any origin (preflight answered here), ETag (a hash of the body) and
    conditional GET with 304 (Django's ConditionalGetMiddleware), and a short public cache lifetime."""
    conditional = _conditional(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
        elif any("\x00" in value for values in request.GET.lists() for value in [values[0], *values[1]]):
            response = JsonResponse({"detail": "Parameters may not contain NUL characters."}, status=400)
        else:
            response = conditional(request, *args, **kwargs)
            if response.status_code in (200, 304) and request.method in ("GET", "HEAD"):
                response.setdefault("Cache-Control", f"public, max-age={getattr(settings, 'PORTAL_API_MAX_AGE', 30)}")
        for header, value in CORS_HEADERS.items():
            response[header] = value
        return response

    wrapped.csrf_exempt = getattr(view, "csrf_exempt", False)
    return wrapped
