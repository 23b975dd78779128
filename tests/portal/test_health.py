"""/healthz over HTTP and the WebSocket health consumer at /ws/health/ over the real ASGI application."""

import logging

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from portal.asgi import application
from portal.live.consumers import BAD_FRAME_REASON, CLOSE_BAD_FRAME, CLOSE_NOT_FOUND

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


UNKNOWN_PATHS = ["/ws/nope/", "/ws/", "/ws/forum/thread/99999999999999999999/", "/ws/forum/thread/abc/", "/nothing"]


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_unknown_websocket_path_is_closed_cleanly(transactional_db, caplog, path):
    async def connect():
        communicator = WebsocketCommunicator(application, path, headers=[(b"origin", b"http://localhost")])
        return await communicator.connect()

    connected, code = async_to_sync(connect)()
    assert not connected
    assert code == CLOSE_NOT_FOUND
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


BAD_FRAMES = [
    {"text_data": "not json"},
    {"text_data": '"a string"'},
    {"text_data": "[1, 2]"},
    {"text_data": "[" * 100_000},
    {"text_data": '{"ping": "' + "x" * 100_000 + '"}'},
    {"bytes_data": b"\x00\xff"},
]


@pytest.mark.parametrize("frame", BAD_FRAMES)
def test_a_bad_frame_closes_with_4400_and_a_reason(transactional_db, caplog, frame):
    async def talk():
        communicator = WebsocketCommunicator(application, "/ws/health/", headers=[(b"origin", b"http://a1.localhost")])
        connected, _ = await communicator.connect()
        assert connected
        await communicator.receive_json_from(timeout=5)
        await communicator.send_to(**frame)
        closed = await communicator.receive_output(timeout=5)
        await communicator.disconnect()  # not wait(): that idles its full second for the app to end
        return closed

    closed = async_to_sync(talk)()
    assert closed == {"type": "websocket.close", "code": CLOSE_BAD_FRAME, "reason": BAD_FRAME_REASON}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
