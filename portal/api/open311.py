"""The Open311 GeoReport v2 server at /open311/v2/: the protocol (formats, parameters, errors, keys);
what a request *is* comes from the backend the complaints app registers (portal.api.registry).

* `GET services.{fmt}`, `GET services/{code}.{fmt}`, `GET|POST requests.{fmt}`, `GET requests/{id}.{fmt}`,
  `GET tokens/{token}.{fmt}` and FixMyStreet's `GET servicerequestupdates.{fmt}`; fmt is json or xml.
* Errors are GeoReport's list of `{code, description}` with the HTTP status (400 bad parameters,
  401 missing or unknown key, 403 revoked key or a community the key may not file for, 404 unknown
  id, 405 method, 429 over the key's limit with Retry-After).
* POST needs `api_key`; GET works without one (the public record) and, with a key, also shows the
  requests that key filed.
"""

from datetime import timedelta
from xml.etree.ElementTree import Element, SubElement, tostring

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from . import keys
from .registry import open311_backend

MAX_IDS = 50
MAX_WINDOW = timedelta(days=90)
XML_ROOTS = {
    "services": ("services", "service"),
    "requests": ("service_requests", "request"),
    "updates": ("service_request_updates", "request_update"),
    "errors": ("errors", "error"),
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str, code: str | None = None, retry_after: int | None = None):
        super().__init__(description)
        self.status = status
        self.code = code or str(status)
        self.description = description
        self.retry_after = retry_after


class Rejected(Open311Error):
    """Raised by the backend: the request's content is wrong (400) with one or more reasons."""

    def __init__(self, errors: list[tuple[str, str]], status: int = 400):
        super().__init__(status, "; ".join(d for _c, d in errors))
        self.errors = errors


def _xml(kind: str, items: list[dict]) -> bytes:
    root_name, item_name = XML_ROOTS[kind]
    root = Element(root_name)
    for item in items:
        node = SubElement(root, item_name)
        _fill(node, item)
    return b'<?xml version="1.0" encoding="utf-8"?>' + tostring(root, encoding="unicode").encode("utf-8")


def _fill(node, item: dict) -> None:
    for name, value in item.items():
        if isinstance(value, list):
            holder = SubElement(node, name)
            for entry in value:
                child = SubElement(holder, name.rstrip("s") or "value")
                if isinstance(entry, dict):
                    _fill(child, entry)
                else:
                    child.text = _text(entry)
        elif isinstance(value, dict):
            _fill(SubElement(node, name), value)
        else:
            SubElement(node, name).text = _text(value)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render(fmt: str, kind: str, items: list[dict], status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(_xml(kind, items), status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(items, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _error_response(fmt: str, error: Open311Error) -> HttpResponse:
    errors = getattr(error, "errors", None) or [(error.code, error.description)]
    response = render(fmt, "errors", [{"code": c, "description": d} for c, d in errors], status=error.status)
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


def endpoint(methods=("GET",)):
    """An Open311 view: the format from the URL, errors as {code, description} lists, methods checked."""

    def decorate(view):
        @csrf_exempt
        def wrapped(request, fmt, **kwargs):
            try:
                if request.method not in methods:
                    raise Open311Error(405, f"Method {request.method} is not allowed here.")
                if _has_nul(request, kwargs):
                    raise Open311Error(400, "Parameters may not contain NUL characters.")
                if open311_backend() is None:
                    raise Open311Error(404, "This portal files no requests.")
                return view(request, fmt, **kwargs)
            except keys.KeyRejected as exc:
                return _error_response(fmt, Open311Error(exc.status, str(exc), retry_after=exc.retry_after))
            except Open311Error as exc:
                response = _error_response(fmt, exc)
                if exc.status == 405:
                    response["Allow"] = ", ".join(methods)
                return response

        return wrapped

    return decorate


def _has_nul(request, kwargs) -> bool:
    texts = [*kwargs.values()]
    for params in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
        for name, values in params.lists():
            texts += [name, *values]
    return any("\x00" in str(text) for text in texts)


def _optional_key(request):
    """The key when one is given (it must then be valid and within its limit); None otherwise."""
    plain = request.GET.get("api_key") or request.POST.get("api_key")
    if not plain:
        return None
    key = keys.authenticate(plain)
    keys.check_rate(key)
    return key


def _date(params, name):
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(400, f"{name} must be a W3C date-time such as 2026-01-31T08:00:00+08:00.")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _window(params):
    """(start, end) from start_date/end_date; at most 90 days (GeoReport's default window)."""
    start, end = _date(params, "start_date"), _date(params, "end_date")
    if start and end and end < start:
        raise Open311Error(400, "end_date is before start_date.")
    if start and end and end - start > MAX_WINDOW:
        raise Open311Error(400, "The window from start_date to end_date is at most 90 days.")
    return start, end


def _request_id(value: str) -> int:
    if not value.isdigit() or len(value) > 18:
        raise Open311Error(404, f"No service request '{value[:40]}'.")
    return int(value)


@endpoint()
def services(request, fmt):
    return render(fmt, "services", open311_backend().services())


@endpoint()
def service_definition(request, fmt, code):
    definition = open311_backend().service_definition(code)
    if definition is None:
        raise Open311Error(404, f"No service with the code '{code[:100]}'.")
    if fmt == "xml":
        root = Element("service_definition")
        _fill(root, definition)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + tostring(root, encoding="unicode").encode("utf-8")
        return HttpResponse(body, content_type="text/xml; charset=utf-8")
    return JsonResponse(definition, json_dumps_params={"ensure_ascii": False})


@endpoint(methods=("GET", "POST"))
def requests(request, fmt):
    if request.method == "POST":
        return _post_request(request, fmt)
    params = request.GET
    key = _optional_key(request)
    filters = {"start": None, "end": None, "ids": [], "service_codes": [], "statuses": []}
    if params.get("service_request_id"):
        raw_ids = [v.strip() for v in params["service_request_id"].split(",") if v.strip()]
        if len(raw_ids) > MAX_IDS:
            raise Open311Error(400, f"At most {MAX_IDS} service_request_id values at once.")
        if not all(v.isdigit() and len(v) <= 18 for v in raw_ids):
            raise Open311Error(400, "service_request_id is a comma-separated list of request ids.")
        filters["ids"] = [int(v) for v in raw_ids]
    else:
        filters["start"], filters["end"] = _window(params)
        filters["service_codes"] = [v for v in params.get("service_code", "").split(",") if v]
        statuses = [v.strip().lower() for v in params.get("status", "").split(",") if v.strip()]
        if any(s not in ("open", "closed") for s in statuses):
            raise Open311Error(400, "status is open, closed, or both separated by a comma.")
        filters["statuses"] = statuses
    filters["portal_id"] = params.get("attribute[portal_id]", "")
    return render(fmt, "requests", open311_backend().list_requests(filters, key))


def _post_request(request, fmt):
    key = keys.authenticate(request.POST.get("api_key"))
    keys.check_rate(key)
    keys.touch(key)
    fields, attributes = {}, {}
    for name in request.POST:
        if name.startswith("attribute[") and name.endswith("[]"):
            attributes[name[len("attribute[") : -3]] = request.POST.getlist(name)
        elif name.startswith("attribute[") and name.endswith("]"):
            attributes[name[len("attribute[") : -1]] = request.POST.get(name)
        else:
            fields[name] = request.POST.get(name)
    if not fields.get("service_code"):
        raise Open311Error(400, "service_code is required.")
    item, _created = open311_backend().create_request(
        fields, attributes, key, idempotency_key=request.headers.get("Idempotency-Key", "")
    )
    return render(fmt, "requests", [item])


@endpoint()
def request_detail(request, fmt, request_id):
    key = _optional_key(request)
    item = open311_backend().get_request(_request_id(request_id), key)
    if item is None:
        raise Open311Error(404, f"No service request '{request_id[:40]}'.")
    return render(fmt, "requests", [item])


@endpoint()
def token(request, fmt, token):
    item = open311_backend().token(token)
    if item is None:
        raise Open311Error(404, f"No token '{token[:60]}'.")
    return render(fmt, "requests", [item])


@endpoint()
def updates(request, fmt):
    key = _optional_key(request)
    start, end = _window(request.GET)
    if start is None:
        raise Open311Error(400, "start_date is required.")
    end = end or timezone.now()
    if end - start > MAX_WINDOW:
        raise Open311Error(400, "The window from start_date to end_date is at most 90 days.")
    return render(fmt, "updates", open311_backend().updates(start, end, key))
