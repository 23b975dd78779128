"""A fake of the city's Open311 GeoReport v2 endpoint on a real loopback socket, for tests.

It speaks the wire format (form-encoded POST, JSON or XML answers, error lists) and can be told
to fail in every way the delivery engine must survive.
"""

import contextlib
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.etree.ElementTree import Element, SubElement, tostring

# Faults a test can queue for the next calls of one kind ("post", "lookup", "token", "updates", ...).
FAULTS = {"500", "400", "403", "404", "timeout", "drop", "malformed", "token"}


FIRE_LANE = {"service_code": "fire_lane", "service_name": "消防通道堵塞", "group": "安全", "metadata": "true"}
FIRE_LANE_ATTRIBUTES = [
    {
        "variable": "true",
        "code": "occupant",
        "datatype": "singlevaluelist",
        "required": "true",
        "datatype_description": "",
        "order": 1,
        "description": "占用物",
        "values": [
            {"key": "car", "name": "机动车"},
            {"key": "goods", "name": "杂物"},
            {"key": "stall", "name": "摊位"},
        ],
    },
    {"variable": "true", "code": "count", "datatype": "number", "required": "false", "order": 2, "description": "数量"},
    {
        "variable": "true",
        "code": "hours",
        "datatype": "multivaluelist",
        "required": "false",
        "order": 3,
        "description": "时段",
        "values": [{"key": "day", "name": "白天"}, {"key": "night", "name": "夜间"}],
    },
    {"variable": "false", "code": "notice", "datatype": "string", "description": "请勿堵塞消防通道"},
]
CLOSED = {"closed", "fixed", "no_further_action", "unable_to_fix", "not_responsible", "duplicate"}


@dataclass
class ServiceRequest:
    service_request_id: str
    fields: dict
    idempotency_key: str
    status: str = "open"
    status_notes: str = ""
    requested_datetime: datetime = field(default_factory=lambda: datetime.now(UTC))
    media: dict = field(default_factory=dict)  # media URL -> (HTTP status, body) as the city fetched it

    @property
    def portal_id(self) -> str:
        return self.fields.get("attribute[portal_id]", "")


@dataclass
class StoredUpdate:
    update_id: str
    service_request_id: str
    status: str
    updated_datetime: datetime
    description: str = ""


class FakeOpen311:
    def __init__(self, fmt="json", dedupe=True, lookup=True, api_key="test-key", fetch_media=False):
        self.fmt = fmt
        self.dedupe = dedupe  # answer a re-sent portal id / Idempotency-Key with the existing request
        self.lookup = lookup  # support our GET requests?attribute[portal_id]= extension
        self.api_key = api_key
        self.strict = False  # answer 400 when a required service attribute is missing, as a strict city does
        self.definitions: dict[str, list[dict]] = {}  # service code -> attributes (default: one optional)
        self.fetch_media = fetch_media  # fetch media_url and attribute[photo_urls] like a city would
        self.services = [
            {"service_code": "noise", "service_name": "噪音扰民", "group": "环境", "metadata": "false"},
            {"service_code": "road", "service_name": "道路破损", "group": "市政", "metadata": "true"},
        ]
        self.requests: list[ServiceRequest] = []
        self.posts: list[dict] = []  # every POST received, successful or not
        self.gets: list[tuple[str, dict]] = []  # every GET received: (path stem, query)
        self.updates: list[StoredUpdate] = []
        self.tokens: dict[str, str] = {}  # token -> service_request_id
        self.unresolved_tokens: set[str] = set()  # tokens that answer without an id (not yet resolved)
        self.queued: dict[str, deque] = {}
        # (Random, p_fail, p_drop), or (Random, {fault: probability}) for every call of every kind
        self.random_faults = None
        self.hold_seconds = 30.0  # how long a "timeout" fault holds its answer (unless `release` is set)
        self.release = threading.Event()  # lets a held ("timeout") answer go
        self.answer_delay = 0.0  # a slow city: every POST is recorded, then answered this many seconds later
        self.lock = threading.Lock()
        self._server = None
        self._thread = None

    # --- control -----------------------------------------------------------------------------

    def start(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/open311/v2"

    def fail_next(self, kind: str, *faults: str):
        assert all(f in FAULTS for f in faults), faults
        self.queued.setdefault(kind, deque()).extend(faults)

    def add_update(self, service_request_id, status, description="", at=None, update_id=None):
        with self.lock:
            update = StoredUpdate(
                update_id or f"u{len(self.updates) + 1}",
                service_request_id,
                status,
                at or datetime.now(UTC),
                description,
            )
            self.updates.append(update)
            return update

    def requests_for(self, portal_id: str) -> list[ServiceRequest]:
        return [r for r in self.requests if r.portal_id == portal_id]

    # --- behaviour ---------------------------------------------------------------------------

    def next_fault(self, kind: str) -> str | None:
        with self.lock:
            queue = self.queued.get(kind)
            if queue:
                return queue.popleft()
            if self.random_faults and isinstance(self.random_faults[1], dict):
                rng, table = self.random_faults
                roll = rng.random()
                for fault, probability in table.items():
                    if roll < probability:
                        return fault
                    roll -= probability
            elif self.random_faults:
                rng, p_fail, p_drop = self.random_faults
                roll = rng.random()
                if roll < p_fail:
                    return rng.choice(["500", "400", "malformed_unrecorded"])
                if roll < p_fail + p_drop:
                    return "drop"
        return None

    def record(self, fields: dict, idempotency_key: str) -> ServiceRequest:
        with self.lock:
            if self.dedupe:
                for existing in self.requests:
                    if existing.portal_id == fields.get("attribute[portal_id]") or (
                        idempotency_key and existing.idempotency_key == idempotency_key
                    ):
                        return existing
            created = ServiceRequest(str(1000 + len(self.requests)), fields, idempotency_key)
            self.requests.append(created)
        if self.fetch_media:
            urls = [fields["media_url"]] if fields.get("media_url") else []
            urls += fields.get("attribute[photo_urls]", "").split()
            created.media = {url: _fetch(url) for url in dict.fromkeys(urls)}
        return created


def _fetch(url: str) -> tuple[int, bytes]:
    """GET a URL without any login, as the city's system would."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _to_xml(root_tag: str, item_tag: str, items: list[dict]) -> bytes:
    root = Element(root_tag)
    for item in items:
        node = SubElement(root, item_tag)
        for key, value in item.items():
            SubElement(node, key).text = "" if value is None else str(value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + tostring(root, encoding="utf-8")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args):  # keep test output quiet
        pass

    @property
    def fake(self) -> FakeOpen311:
        return self.server.fake

    # --- answers -----------------------------------------------------------------------------

    def _send(self, status: int, items: list[dict], root="service_requests", item_tag="request"):
        if self.fake.fmt == "xml":
            body, ctype = _to_xml(root, item_tag, items), "text/xml; charset=utf-8"
        else:
            body, ctype = json.dumps(items, ensure_ascii=False).encode(), "application/json; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (timeout): that is the point of the test
            self.wfile.write(body)

    def _error(self, status: int, description: str):
        self._send(status, [{"code": status, "description": description}], root="errors", item_tag="error")

    def _malformed(self):
        body = b"<service_requests><request><service_request_id>12" if self.fake.fmt == "xml" else b'[{"service_'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drop(self):
        self.close_connection = True  # answer nothing: the client sees the connection dropped

    def _common_fault(self, fault: str) -> bool:
        """Faults that mean 'nothing was done'. Returns True when an answer was sent."""
        if fault == "500":
            self._error(500, "Internal Server Error")
        elif fault == "400":
            self._error(400, "CRM is down")
        elif fault == "403":
            self._error(403, "Invalid api_key")
        elif fault == "404":
            self._error(404, "Not found")
        elif fault == "malformed_unrecorded":
            self._malformed()
        elif fault == "drop":
            self._drop()
        else:
            return False
        return True

    # --- routes ------------------------------------------------------------------------------

    def _route(self):
        parsed = urllib.parse.urlsplit(self.path)
        path = parsed.path.removeprefix("/open311/v2/")
        stem, _, ext = path.rpartition(".")
        query = dict(urllib.parse.parse_qsl(parsed.query))
        return stem, ext, query

    def do_POST(self):
        stem, ext, _ = self._route()
        length = int(self.headers.get("Content-Length") or 0)
        pairs = urllib.parse.parse_qsl(self.rfile.read(length).decode())
        fields = {k: v for k, v in pairs if not k.endswith("[]")}
        for key, value in pairs:
            if key.endswith("[]"):
                fields.setdefault(key, []).append(value)
        idempotency_key = self.headers.get("Idempotency-Key", "")
        with self.fake.lock:
            self.fake.posts.append({"fields": fields, "idempotency_key": idempotency_key})
        if stem != "requests" or ext != self.fake.fmt:
            return self._error(404, "Not found")
        fault = self.fake.next_fault("post")
        if fault not in (None, "timeout", "drop", "malformed", "token") and self._common_fault(fault):
            return None
        if fields.get("api_key") != self.fake.api_key:
            return self._error(403, "Invalid api_key")
        if fields.get("service_code") not in {s["service_code"] for s in self.fake.services}:
            return self._error(404, "Unknown service_code")
        if self.fake.strict:
            for attribute in self.fake.definitions.get(fields["service_code"], []):
                code = attribute["code"]
                wanted = attribute.get("required") == "true" and attribute.get("variable") != "false"
                if wanted and not (fields.get(f"attribute[{code}]") or fields.get(f"attribute[{code}][]")):
                    return self._error(400, f"attribute[{code}] is required")
        created = self.fake.record(fields, idempotency_key)
        if fault == "drop":
            return self._drop()
        if fault == "malformed":
            return self._malformed()
        if fault == "timeout":
            self.fake.release.wait(timeout=self.fake.hold_seconds)
        elif self.fake.answer_delay:
            self.fake.release.wait(timeout=self.fake.answer_delay)  # a slow city, not a synchronisation
        if fault == "token":
            token = f"tok-{created.service_request_id}"
            with self.fake.lock:
                self.fake.tokens[token] = created.service_request_id
                self.fake.unresolved_tokens.add(token)
            return self._send(200, [{"token": token}])
        return self._send(200, [{"service_request_id": created.service_request_id, "service_notice": ""}])

    def do_GET(self):
        stem, ext, query = self._route()
        with self.fake.lock:
            self.fake.gets.append((stem, query))
        if ext != self.fake.fmt:
            return self._error(404, "Not found")
        kind = {"requests": "lookup", "servicerequestupdates": "updates", "services": "services"}.get(
            stem, stem.split("/")[0]
        )
        fault = self.fake.next_fault(kind)
        if fault and self._common_fault(fault):
            return None
        if fault == "timeout":  # the answer comes, but after the client gave up
            self.fake.release.wait(timeout=self.fake.hold_seconds)
        if stem == "services":
            return self._send(200, self.fake.services, root="services", item_tag="service")
        if stem.startswith("services/"):
            code = stem.split("/", 1)[1]
            if code not in {s["service_code"] for s in self.fake.services}:
                return self._error(404, "Unknown service_code")
            return self._send_definition(code)
        if stem.startswith("tokens/"):
            token = stem.split("/", 1)[1]
            with self.fake.lock:
                if token not in self.fake.tokens:
                    return self._error(404, "Unknown token")
                if token in self.fake.unresolved_tokens:
                    self.fake.unresolved_tokens.discard(token)  # resolved from the next call on
                    return self._send(200, [{"token": token}])
            return self._send(200, [{"service_request_id": self.fake.tokens[token], "token": token}])
        if stem == "requests":
            return self._list_requests(query)
        if stem.startswith("requests/"):
            wanted = stem.split("/", 1)[1]
            found = [r for r in self.fake.requests if r.service_request_id == wanted]
            if not found:
                return self._error(404, "Unknown request")
            return self._send(200, [self._request_item(found[0])])
        if stem == "servicerequestupdates":
            return self._list_updates(query)
        return self._error(404, "Not found")

    def _send_definition(self, code: str):
        attribute = {"code": "landmark", "datatype": "string", "required": "false", "description": "附近地标"}
        attributes = self.fake.definitions.get(code, [attribute])
        if self.fake.fmt == "xml":
            root = Element("service_definition")
            SubElement(root, "service_code").text = code
            SubElement(SubElement(SubElement(root, "attributes"), "attribute"), "code").text = "landmark"
            body, ctype = tostring(root, encoding="utf-8"), "text/xml"
        else:
            body = json.dumps({"service_code": code, "attributes": attributes}, ensure_ascii=False).encode()
            ctype = "application/json"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _request_item(self, r: ServiceRequest) -> dict:
        return {
            "service_request_id": r.service_request_id,
            "status": r.status,
            "status_notes": r.status_notes,
            "service_code": r.fields.get("service_code", ""),
            "description": r.fields.get("description", ""),
            "requested_datetime": r.requested_datetime.isoformat(),
            "updated_datetime": r.requested_datetime.isoformat(),
        }

    def _list_requests(self, query: dict):
        from django.utils.dateparse import parse_datetime

        portal_id = query.get("attribute[portal_id]")
        if portal_id and self.fake.lookup:
            items = [{**self._request_item(r), "portal_id": r.portal_id} for r in self.fake.requests_for(portal_id)]
            return self._send(200, items)
        # The standard filters; a plain Open311 server ignores attribute[portal_id].
        start = parse_datetime(query.get("start_date", "")) or datetime.min.replace(tzinfo=UTC)
        end = parse_datetime(query.get("end_date", "")) or datetime.max.replace(tzinfo=UTC)
        codes = set(query["service_code"].split(",")) if query.get("service_code") else None
        statuses = set(query["status"].split(",")) if query.get("status") else None
        with self.fake.lock:
            listed = [
                r
                for r in self.fake.requests
                if start <= r.requested_datetime <= end
                and (codes is None or r.fields.get("service_code") in codes)
                and (statuses is None or ("closed" if r.status in CLOSED else "open") in statuses)
            ]
        if not query.get("start_date"):
            listed = listed[-50:]  # without dates: the most recent only, as the standard allows
        return self._send(200, [self._request_item(r) for r in listed])

    def _list_updates(self, query: dict):
        from django.utils.dateparse import parse_datetime

        start = parse_datetime(query.get("start_date", "")) or datetime.min.replace(tzinfo=UTC)
        end = parse_datetime(query.get("end_date", "")) or datetime.max.replace(tzinfo=UTC)
        items = [
            {
                "update_id": u.update_id,
                "service_request_id": u.service_request_id,
                "status": u.status,
                "updated_datetime": u.updated_datetime.isoformat(),
                "description": u.description,
            }
            for u in self.fake.updates
            if start <= u.updated_datetime <= end
        ]
        return self._send(200, items, root="service_request_updates", item_tag="request_update")
