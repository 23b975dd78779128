"""/healthz over HTTP and the WebSocket health consumer at /ws/health/ over the real ASGI application."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from portal.asgi import application

# Channels closes old database connections around each consumer call, from another thread.


def test_healthz_answers_on_every_host(client):
    for host in ("localhost", "a1.localhost", "unknown.example.org"):
        response = client.get("/healthz", HTTP_HOST=host)
        assert response.status_code == 200
        assert response.content == b"ok"
        assert response["Content-Type"].startswith("text/plain")


async def talk_to_health(origin: bytes):
    communicator = WebsocketCommunicator(application, "/ws/health/", headers=[(b"origin", origin)])
    connected, _ = await communicator.connect()
    try:
        if not connected:
            return connected, None, None
        greeting = await communicator.receive_json_from(timeout=5)
        await communicator.send_json_to({"ping": "你好"})
        echo = await communicator.receive_json_from(timeout=5)
        return connected, greeting, echo
    finally:
        await communicator.disconnect()


def test_websocket_health_consumer(transactional_db):
    connected, greeting, echo = async_to_sync(talk_to_health)(b"http://a1.localhost")
    assert connected
    assert greeting == {"status": "ok"}
    assert echo == {"status": "ok", "echo": "你好"}


def test_unknown_websocket_path_is_refused(transactional_db):
    async def connect():
        communicator = WebsocketCommunicator(application, "/ws/nope/", headers=[(b"origin", b"http://localhost")])
        await communicator.connect()

    with pytest.raises(ValueError, match="No route found"):
        async_to_sync(connect)()
