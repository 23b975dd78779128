"""A small Open311 GeoReport v2 client: what the portal needs, in JSON or XML, nothing more.

Errors are classified for the delivery engine:
* `Forbidden` (403: the key or jurisdiction is wrong; retrying will not help),
* `NotFound` (404: e.g. the service code is gone),
* `Rejected` (another 4xx; Open311 adapters answer 400 when the city's system is down, so it is retried),
* `Unreachable` (the connection was refused: nothing was sent),
* `Ambiguous` (timeout, 5xx, dropped connection, unreadable body: the request may exist in the city).
"""

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from http.client import HTTPException
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .conf import Endpoint

# The portal id travels in the description, where every GeoReport v2 server keeps and lists it.
MARKER_RE = re.compile(r"\[portal:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\]")


def marker(portal_id: str) -> str:
    """The short marker appended to every description we send: `[portal:<uuid>]`."""
    return f"[portal:{portal_id}]"


def markers_in(text) -> list[str]:
    """The portal ids of every marker in a text (a listed request's description, an update's)."""
    return MARKER_RE.findall(str(text or "").lower())


def w3c(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


class Open311Error(Exception):
    ambiguous = False
    kind = "rejected"  # a DeliveryFailure.Kind: how it failed, for the operators' overview

    def __init__(self, message: str, status: int | None = None, errors: list | None = None, kind: str = ""):
        super().__init__(message)
        self.status = status
        self.errors = errors or []
        if kind:
            self.kind = kind


class Forbidden(Open311Error):
    kind = "forbidden"


class NotFound(Open311Error):
    kind = "not_found"


class Rejected(Open311Error):
    kind = "rejected"


class Unreachable(Open311Error):
    kind = "refused"


class Ambiguous(Open311Error):
    ambiguous = True
    kind = "dropped"


@dataclass
class PostResult:
    service_request_id: str = ""
    token: str = ""


@dataclass
class Update:
    """One status update (FixMyStreet's `servicerequestupdates` shape)."""

    update_id: str
    service_request_id: str
    status: str
    updated_datetime: datetime
    description: str = ""
    extra: dict = field(default_factory=dict)


def _element_to_dict(element: Element) -> dict:
    return {child.tag: (child.text or "").strip() for child in element if len(child) == 0}


def parse_body(body: bytes, fmt: str) -> list[dict]:
    """The answer as a list of flat dicts, whatever the format. Raises ValueError when unreadable."""
    text = body.decode("utf-8")
    if fmt == "xml":
        try:
            root = ElementTree.fromstring(text)
        except (ElementTree.ParseError, DefusedXmlException) as exc:
            raise ValueError(f"malformed XML: {exc}") from exc
        if root.tag in _XML_LIST_ROOTS:
            return [_element_to_dict(child) for child in root]
        return [_element_to_dict(root)]
    try:
        data = json.loads(text)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc
    if isinstance(data, dict):
        # {"service_requests": [...]} wraps a list; anything else is one item.
        only = list(data.values())[0] if len(data) == 1 else None
        data = only if isinstance(only, list) else [data]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ValueError("unexpected JSON shape")
    return data


_XML_LIST_ROOTS = {"services", "service_requests", "service_request_updates", "errors"}


def _errors(body: bytes, fmt: str) -> list[dict]:
    try:
        items = parse_body(body, fmt)
    except (ValueError, UnicodeDecodeError):
        return []
    return [
        {"code": str(i.get("code", "")), "description": str(i.get("description", ""))} for i in items if "code" in i
    ]


def _describe(status: int, errors: list[dict]) -> str:
    details = "; ".join(f"{e['code']} {e['description']}".strip() for e in errors)
    return f"HTTP {status}" + (f": {details}" if details else "")


class Client:
    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint
        # The city's endpoint is reached directly: no proxy from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _url(self, path: str, params: dict | None = None) -> str:
        params = dict(params or {})
        if self.endpoint.jurisdiction_id:
            params.setdefault("jurisdiction_id", self.endpoint.jurisdiction_id)
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        return f"{self.endpoint.url}/{path}.{self.endpoint.format}{query}"

    def _call(self, url: str, data: dict | None = None, headers: dict | None = None) -> list[dict]:
        # A list value (a multivaluelist attribute) is sent as the key repeated.
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        method = "POST" if data is not None else "GET"
        request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
        if body is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        try:
            with self._opener.open(request, timeout=self.endpoint.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc.code, exc.read()) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, ConnectionRefusedError):
                raise Unreachable(f"connection refused: {exc.reason}") from exc
            kind = "timeout" if isinstance(exc.reason, TimeoutError) else "dropped"
            raise Ambiguous(f"connection failed: {exc.reason}", kind=kind) from exc
        except TimeoutError as exc:
            raise Ambiguous("timed out waiting for the answer", kind="timeout") from exc
        except (HTTPException, ConnectionError, OSError) as exc:
            raise Ambiguous(f"connection dropped: {exc!r}", kind="dropped") from exc
        try:
            items = parse_body(raw, self.endpoint.format)
        except (ValueError, UnicodeDecodeError) as exc:
            raise Ambiguous(f"unreadable answer: {exc}", kind="unreadable") from exc
        errors = [i for i in items if "code" in i and "description" in i and "service_request_id" not in i]
        if errors and len(errors) == len(items):
            raise Rejected(_describe(200, errors), 200, errors)
        return items

    def _http_error(self, status: int, body: bytes) -> Open311Error:
        errors = _errors(body, self.endpoint.format)
        message = _describe(status, errors)
        if status == 403:
            return Forbidden(message, status, errors)
        if status == 404:
            return NotFound(message, status, errors)
        if status >= 500:
            return Ambiguous(message, status, errors, kind="server_error")
        return Rejected(message, status, errors)

    # --- the catalogue ---------------------------------------------------------------------

    def services(self) -> list[dict]:
        return self._call(self._url("services"))

    def service_definition(self, service_code: str) -> dict:
        url = self._url(f"services/{urllib.parse.quote(service_code, safe='')}")
        items = self._call(url)
        return items[0] if items else {}

    # --- requests ----------------------------------------------------------------------------

    def post_request(self, fields: dict, idempotency_key: str) -> PostResult:
        data = dict(fields)
        if self.endpoint.api_key:
            data["api_key"] = self.endpoint.api_key
        if self.endpoint.jurisdiction_id:
            data["jurisdiction_id"] = self.endpoint.jurisdiction_id
        url = f"{self.endpoint.url}/requests.{self.endpoint.format}"
        items = self._call(url, data=data, headers={"Idempotency-Key": idempotency_key})
        first = items[0] if items else {}
        result = PostResult(str(first.get("service_request_id") or ""), str(first.get("token") or ""))
        if not (result.service_request_id or result.token):
            raise Ambiguous("the answer carries neither service_request_id nor token", kind="unreadable")
        return result

    def resolve_token(self, token: str) -> str:
        """The service_request_id for a token, or "" while the city has not assigned one yet."""
        items = self._call(self._url(f"tokens/{urllib.parse.quote(token, safe='')}"))
        return str(items[0].get("service_request_id") or "") if items else ""

    def lookup_by_portal_id(self, portal_id: str) -> str:
        """Our extension (docs/open311.md): the service_request_id carrying this portal id, or ""."""
        items = self._call(self._url("requests", {"attribute[portal_id]": portal_id}))
        # Only items that echo our portal id count: a server without the extension ignores the
        # filter and lists other requests.
        return next((str(i["service_request_id"]) for i in items if i.get("portal_id") == portal_id), "")

    def list_requests(self, start: datetime, end: datetime, service_code: str = "", status: str = "") -> list[dict]:
        """Standard `GET requests` with its standard filters: the requests made between start and end."""
        params = {"start_date": w3c(start), "end_date": w3c(end)}
        if service_code:
            params["service_code"] = service_code
        if status:
            params["status"] = status
        return [i for i in self._call(self._url("requests", params)) if i.get("service_request_id")]

    def get_request(self, service_request_id: str) -> dict:
        items = self._call(self._url(f"requests/{urllib.parse.quote(service_request_id, safe='')}"))
        return items[0] if items else {}

    def updates(self, start: datetime, end: datetime) -> list[Update]:
        params = {"start_date": start.isoformat(), "end_date": end.isoformat()}
        if self.endpoint.api_key:
            params["api_key"] = self.endpoint.api_key
        return parse_updates(self._call(self._url("servicerequestupdates", params)))


MAX_ID_LENGTH = 150  # ids are stored prefixed by the endpoint key, in 200 characters


def parse_updates(items: list[dict]) -> list[Update]:
    """Turn `servicerequestupdates` items into Updates; items without an id or a date, or with an id
    longer than MAX_ID_LENGTH, are dropped. A date without a time zone is read in the city's."""
    updates = []
    for item in items:
        try:
            when = parse_datetime(str(item.get("updated_datetime") or ""))
        except ValueError:  # well formed but impossible, such as 2026-02-30
            when = None
        if not (item.get("update_id") and item.get("service_request_id") and when):
            continue
        if max(len(str(item["update_id"])), len(str(item["service_request_id"]))) > MAX_ID_LENGTH:
            continue
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        updates.append(
            Update(
                update_id=str(item["update_id"]),
                service_request_id=str(item["service_request_id"]),
                status=str(item.get("status") or "").lower(),
                updated_datetime=when,
                description=str(item.get("description") or ""),
                extra={k: v for k, v in item.items() if k.startswith("external_")},
            )
        )
    return updates
