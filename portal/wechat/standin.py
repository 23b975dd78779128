"""A stand-in for WeChat's API on a loopback port, for tests and the demo.

It speaks the JSON of the endpoints the portal calls (token, stable token, menu create,
customer-service send, template send, media download, OAuth web authorisation with its code exchange
and userinfo, jsapi ticket), answers with WeChat's error codes when
asked (`fail_next`), expires or invalidates tokens on demand, and counts and keeps what it received.
`manage.py wechat_standin` runs one for the demo; tests start one in a thread.
"""

import itertools
import json
import secrets
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

# A tiny valid JPEG (1×1 pixel), what media/get returns for a known media id.
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a1f"
    "1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100ffc4001f0000"
    "010501010101010100000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d010203000411"
    "05122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445"
    "464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9"
    "aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100"
    "003f00fbd3ffd9"
)

ERRORS = {
    40001: "invalid credential, access_token is invalid or not latest",
    40007: "invalid media_id",
    40013: "invalid appid",
    40029: "invalid code",
    40097: "invalid args",
    10003: "redirect_uri domain mismatch",
    40125: "invalid appsecret",
    41001: "access_token missing",
    42001: "access_token expired",
    43004: "require subscribe",
    43101: "user refuse to accept the msg",
    45009: "reach max api daily quota limit",
    47001: "data format error",
    48001: "api unauthorized",
}


class WeChatStandIn:
    def __init__(
        self, apps: dict[str, str], host: str = "127.0.0.1", port: int = 0, token_delay: float = 0.0, echo=None
    ):
        self.apps = dict(apps)  # app id -> app secret
        self.tokens: dict[str, tuple[str, float]] = {}  # token -> (app id, expiry)
        self.current: dict[str, str] = {}  # app id -> its stable token
        self.media: dict[str, bytes] = {}
        self.counts: Counter = Counter()
        self.received: list[tuple[str, dict]] = []
        self.fail_queue: list[int] = []
        self.token_delay = token_delay  # widens the window in which concurrent refreshes would overlap
        self.echo = echo  # echo(path, data) for every API call received (the demo prints them)
        self.lock = threading.Lock()
        self._msgids = itertools.count(1000)
        # OAuth: the WeChat user in the browser that visits the authorize page, and the codes handed out.
        self.oauth_openid = "oBrowserUser1"
        self.oauth_unionid = ""
        self.oauth_nickname = "微信用户"
        self.codes: dict[str, tuple[str, str, str]] = {}  # code -> (app id, openid, scope)
        self.sns_tokens: dict[str, str] = {}  # OAuth access token -> openid
        self.server = ThreadingHTTPServer((host, port), self._handler())
        self.server.daemon_threads = True
        self.thread = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "WeChatStandIn":
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # Knobs for tests ------------------------------------------------------------------------------

    def fail_next(self, *errcodes: int) -> None:
        """The next API calls (not token calls) answer these error codes, in order."""
        with self.lock:
            self.fail_queue.extend(errcodes)

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens = {token: (app, 0.0) for token, (app, _expiry) in self.tokens.items()}

    def sent(self, path: str) -> list[dict]:
        return [body for got, body in self.received if got == path]

    # The API --------------------------------------------------------------------------------------

    def issue(self, app_id: str, force: bool) -> dict:
        with self.lock:
            token = self.current.get(app_id)
            valid = token and self.tokens.get(token, ("", 0))[1] > time.time()
            if force or not valid:
                token = secrets.token_urlsafe(24)
                self.tokens[token] = (app_id, time.time() + 7200)
                self.current[app_id] = token
            return {"access_token": token, "expires_in": int(self.tokens[token][1] - time.time())}

    def token_error(self, token: str) -> int | None:
        if not token:
            return 41001
        app_and_expiry = self.tokens.get(token)
        if app_and_expiry is None:
            return 40001
        if app_and_expiry[1] <= time.time():
            return 42001
        return None

    def oauth(self, path: str, query: dict):
        """WeChat's authorize page (approves at once, as a follower who opens a link in WeChat sees it),
        the code exchange and userinfo."""
        one = {k: v[0] for k, v in query.items()}
        if path == "/connect/oauth2/authorize":
            if one.get("appid") not in self.apps or one.get("response_type") != "code":
                return error(40013)
            if one.get("scope") not in ("snsapi_base", "snsapi_userinfo") or not one.get("redirect_uri"):
                return error(10003)
            code = secrets.token_urlsafe(12)
            with self.lock:
                self.codes[code] = (one["appid"], self.oauth_openid, one["scope"])
            joiner = "&" if "?" in one["redirect_uri"] else "?"
            location = f"{one['redirect_uri']}{joiner}{urlencode({'code': code, 'state': one.get('state', '')})}"
            return 302, "text/plain", b"", {"Location": location}
        if path == "/sns/oauth2/access_token":
            with self.lock:
                granted = self.codes.pop(one.get("code", ""), None)  # a code is good once
            if granted is None or self.apps.get(one.get("appid")) != one.get("secret") or granted[0] != one["appid"]:
                return error(40029)
            token = secrets.token_urlsafe(16)
            self.sns_tokens[token] = granted[1]
            data = {"access_token": token, "expires_in": 7200, "refresh_token": token + "r", "openid": granted[1]}
            data["scope"] = granted[2]
            if self.oauth_unionid:
                data["unionid"] = self.oauth_unionid
            return ok_json(data)
        if path == "/sns/userinfo":
            openid = self.sns_tokens.get(one.get("access_token", ""))
            if openid is None or openid != one.get("openid"):
                return error(40001)
            data = {"openid": openid, "nickname": self.oauth_nickname, "headimgurl": ""}
            if self.oauth_unionid:
                data["unionid"] = self.oauth_unionid
            return ok_json(data)
        return None

    def answer(self, method: str, path: str, query: dict, body: bytes):
        """(status, content type, bytes) or (status, content type, bytes, headers)"""
        self.counts[path] += 1
        if path.startswith(("/connect/", "/sns/")):
            answered = self.oauth(path, query)
            if answered is not None:
                return answered
        if path in ("/cgi-bin/token", "/cgi-bin/stable_token"):
            data = json.loads(body or b"{}") if method == "POST" else {k: v[0] for k, v in query.items()}
            if self.token_delay:
                time.sleep(self.token_delay)
            if data.get("grant_type") != "client_credential" or self.apps.get(data.get("appid")) != data.get("secret"):
                return error(40125)
            return ok_json(self.issue(data["appid"], bool(data.get("force_refresh"))))
        failure = self.token_error(query.get("access_token", [""])[0])
        if failure:
            return error(failure)
        with self.lock:
            injected = self.fail_queue.pop(0) if self.fail_queue else None
        if injected:
            return error(injected)
        if path == "/cgi-bin/ticket/getticket":
            if query.get("type", [""])[0] != "jsapi":
                return error(40097)
            ticket = "jsapi-ticket-" + secrets.token_hex(8)
            return ok_json({"errcode": 0, "errmsg": "ok", "ticket": ticket, "expires_in": 7200})
        if path == "/cgi-bin/media/get":
            media = self.media.get(query.get("media_id", [""])[0])
            return (200, "image/jpeg", media) if media is not None else error(40007)
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return error(47001)
        self.received.append((path, data))
        if self.echo:
            self.echo(path, data)
        if path == "/cgi-bin/menu/create":
            buttons = data.get("button")
            if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
                return error(47001)
            return ok_json({"errcode": 0, "errmsg": "ok"})
        if path == "/cgi-bin/message/custom/send":
            if not data.get("touser") or not data.get("msgtype"):
                return error(47001)
            return ok_json({"errcode": 0, "errmsg": "ok"})
        if path == "/cgi-bin/message/template/send":
            if not data.get("touser") or not data.get("template_id"):
                return error(47001)
            return ok_json({"errcode": 0, "errmsg": "ok", "msgid": next(self._msgids)})
        return 404, "application/json", b'{"errcode":-1,"errmsg":"no such endpoint in the stand-in"}'

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, content_type, payload, *headers = standin.answer(
                    method, parts.path, parse_qs(parts.query), body
                )
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                for name, value in (headers[0] if headers else {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def log_message(self, format, *args):
                pass

        return Handler


def ok_json(data: dict):
    return 200, "application/json", json.dumps(data, ensure_ascii=False).encode()


def error(code: int):
    return ok_json({"errcode": code, "errmsg": ERRORS.get(code, "error")})
