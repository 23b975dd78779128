"""The production SMS channel speaks HTTP to a gateway: tested against a real server on loopback."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.test import override_settings

from portal.accounts.sms import send_sms


@pytest.fixture
def gateway():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["Authorization"], json.loads(body)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send", received
    server.shutdown()
    server.server_close()


def test_http_gateway_backend_posts_phone_and_text_with_token(gateway):
    url, received = gateway
    with override_settings(
        PORTAL_SMS_BACKEND="portal.accounts.sms.HttpGatewaySMSBackend", SMS_GATEWAY_URL=url, SMS_GATEWAY_TOKEN="tok"
    ):
        send_sms("13800138000", "验证码 123456")
    assert received == [("Bearer tok", {"phone": "13800138000", "text": "验证码 123456"})]


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gateway_failure_is_a_clear_message_not_a_500(city, host_client):
    from portal.accounts.models import VerificationCode

    with override_settings(
        PORTAL_SMS_BACKEND="portal.accounts.sms.HttpGatewaySMSBackend",
        SMS_GATEWAY_URL=f"http://127.0.0.1:{closed_port()}/send",
        SMS_GATEWAY_TOKEN="tok",
    ):
        response = host_client("a1.localhost").post("/accounts/signup/", {"phone": "13800138000", "consent": "on"})
    assert response.status_code == 200
    assert "could not send the code" in response.content.decode()
    assert not VerificationCode.objects.exists()
