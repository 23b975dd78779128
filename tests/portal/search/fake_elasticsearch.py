"""A stand-in for Elasticsearch 8 on a loopback socket: it records every request the client sends and
answers in Elasticsearch's response format (headers included), so the real client library talks to it.

It keeps which indices and aliases exist and which documents were bulk-indexed; `_search` answers with
`search_response` (set by a test) or, by default, every stored document of the index as a hit with
empty aggregations. It does not evaluate queries: tests check the request bodies the portal sends.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HEADERS = {"X-Elastic-Product": "Elasticsearch", "Content-Type": "application/vnd.elasticsearch+json;compatible-with=8"}


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    body: object  # parsed JSON, a list for NDJSON (bulk), or None


@dataclass
class State:
    requests: list[Recorded] = field(default_factory=list)
    indices: dict[str, dict] = field(default_factory=dict)  # name -> {"body": create body, "docs": {id: source}}
    aliases: dict[str, set[str]] = field(default_factory=dict)  # alias -> index names
    search_response: dict | None = None

    def of(self, method: str, suffix: str = "") -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.endswith(suffix)]

    def resolve(self, name: str) -> list[str]:
        if name in self.indices:
            return [name]
        return sorted(self.aliases.get(name, ()))


class Handler(BaseHTTPRequestHandler):
    state: State
    lock: threading.Lock

    def log_message(self, *args):
        pass

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        text = raw.decode("utf-8")
        if "ndjson" in (self.headers.get("Content-Type") or "") or self.path.split("?")[0].endswith("_bulk"):
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        return json.loads(text)

    def _send(self, status: int, payload=None):
        data = b"" if payload is None or self.command == "HEAD" else json.dumps(payload).encode()
        self.send_response(status)
        for name, value in HEADERS.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def _not_found(self, what: str):
        error = {"type": "index_not_found_exception", "reason": f"no such index [{what}]"}
        self._send(404, {"error": {"root_cause": [error], **error}, "status": 404})

    def _handle(self):
        parts = urlsplit(self.path)
        body = self._body()
        with self.lock:
            self.state.requests.append(Recorded(self.command, parts.path, parse_qs(parts.query), body))
            self._route(self.command, [p for p in parts.path.split("/") if p], body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

    def _route(self, method, segments, body):
        state = self.state
        if not segments:
            return self._send(200, {"name": "fake", "cluster_name": "fake", "version": {"number": "8.15.0"}})
        if segments[0] == "_alias" and len(segments) == 2:
            indices = state.aliases.get(segments[1])
            if not indices:
                return self._send(404, {"error": f"alias [{segments[1]}] missing", "status": 404})
            return self._send(200, {name: {"aliases": {segments[1]: {}}} for name in sorted(indices)})
        if segments == ["_aliases"]:
            for action in body["actions"]:
                ((verb, spec),) = action.items()
                if verb == "add":
                    state.aliases.setdefault(spec["alias"], set()).add(spec["index"])
                elif verb == "remove":
                    state.aliases.get(spec["alias"], set()).discard(spec["index"])
            return self._send(200, {"acknowledged": True})
        if segments[-1] == "_bulk":
            return self._bulk(body or [])
        name = segments[0]
        if len(segments) == 1 and method == "PUT":
            state.indices[name] = {"body": body, "docs": {}}
            return self._send(200, {"acknowledged": True, "shards_acknowledged": True, "index": name})
        if len(segments) == 1 and method == "DELETE":
            if state.indices.pop(name, None) is None:
                return self._not_found(name)
            return self._send(200, {"acknowledged": True})
        if len(segments) == 2 and segments[1] in ("_settings", "_refresh"):
            if not state.resolve(name):
                return self._not_found(name)
            return self._send(200, {"acknowledged": True, "_shards": {"total": 1, "successful": 1, "failed": 0}})
        if len(segments) == 2 and segments[1] == "_search":
            return self._search(name, body or {})
        return self._send(400, {"error": {"type": "illegal_argument_exception", "reason": "not faked"}, "status": 400})

    def _bulk(self, lines):
        items, i = [], 0
        while i < len(lines):
            ((op, meta),) = lines[i].items()
            names = self.state.resolve(meta["_index"]) or [meta["_index"]]
            index = self.state.indices.setdefault(names[0], {"body": None, "docs": {}})
            if op == "delete":
                found = index["docs"].pop(meta["_id"], None) is not None
                items.append({op: {"_index": names[0], "_id": meta["_id"], "status": 200 if found else 404}})
                i += 1
            else:
                index["docs"][meta["_id"]] = lines[i + 1]
                items.append({op: {"_index": names[0], "_id": meta["_id"], "status": 201, "result": "created"}})
                i += 2
        self._send(200, {"took": 1, "errors": False, "items": items})

    def _search(self, name, body):
        if self.state.search_response is not None:
            return self._send(200, self.state.search_response)
        names = self.state.resolve(name)
        if not names:
            return self._not_found(name)
        docs = [(n, i, s) for n in names for i, s in self.state.indices[n]["docs"].items()]
        hits = [
            {"_index": n, "_id": i, "_score": 1.0, "_source": s, "sort": [1.0, s.get("date"), i]} for n, i, s in docs
        ]
        sources = [s for _n, _i, s in docs]
        aggregations = {key: aggregate(spec, sources) for key, spec in (body.get("aggs") or {}).items()}
        self._send(200, search_response(hits[: body.get("size", 10)], aggregations, total=len(hits)))


def aggregate(spec: dict, sources: list[dict]) -> dict:
    """terms and date_range over every stored document (the query is not evaluated)."""
    ((kind, options),) = ((k, v) for k, v in spec.items() if k != "aggs")
    if kind == "terms":
        counts = {}
        for source in sources:
            value = source.get(options["field"])
            if value is not None:
                counts[value] = counts.get(value, 0) + 1
        buckets = sorted(counts.items(), key=lambda kv: -kv[1])[: options.get("size", 10)]
        return {
            "doc_count_error_upper_bound": 0,
            "sum_other_doc_count": 0,
            "buckets": [{"key": k, "doc_count": n} for k, n in buckets],
        }
    if kind == "date_range":
        buckets = []
        for r in options["ranges"]:
            n = sum(
                1
                for s in sources
                if s.get(options["field"])
                and ("from" not in r or s[options["field"]] >= r["from"])
                and ("to" not in r or s[options["field"]] < r["to"])
            )
            buckets.append({"key": r["key"], **{k: r[k] for k in ("from", "to") if k in r}, "doc_count": n})
        return {"buckets": buckets}
    raise ValueError(f"aggregation {kind} not faked")


def search_response(hits, aggregations=None, total=None):
    return {
        "took": 1,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {
            "total": {"value": len(hits) if total is None else total, "relation": "eq"},
            "max_score": 1.0,
            "hits": hits,
        },
        **({"aggregations": aggregations} if aggregations is not None else {}),
    }


class FakeElasticsearch:
    def __init__(self):
        self.state = State()
        handler = type("BoundHandler", (Handler,), {"state": self.state, "lock": threading.Lock()})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
