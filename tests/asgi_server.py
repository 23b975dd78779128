"""A real ASGI server (daphne) on loopback, inside the test process, serving portal.asgi.

Inside the process, so it uses the test database (SQLite in memory or PostgreSQL) and the same
channel layer as the test; tests that use it must be transactional so the server sees their rows.
Twisted's reactor cannot be restarted, hence one server per test session, in a daemon thread.

Clients connect to 127.0.0.1:asgi_server.port and name the community in the Host header.
"""

import socket
import threading
import time

import pytest

START_TIMEOUT = 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AsgiServer:
    def __init__(self, port: int):
        self.port = port

    def url(self, host: str, path: str, scheme: str = "http") -> str:
        """The URL with the community's host; `<slug>.localhost` may not resolve, so connect to 127.0.0.1."""
        return f"{scheme}://{host}:{self.port}{path}"


def _wait_until_listening(port: int, thread: threading.Thread) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the ASGI server thread ended before it listened")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)  # polling a port that is not open yet
    raise RuntimeError(f"the ASGI server did not listen on {port} within {START_TIMEOUT}s")


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker):
    from daphne.server import Server  # installs Twisted's asyncio reactor: import only when needed
    from django.db import connections

    from portal.asgi import application

    # Django runs each request in a thread of its own under ASGI; a kept-alive connection would
    # outlive the thread (and hold the test database open), so the server closes them at once.
    database = connections.settings["default"]
    kept_alive, database["CONN_MAX_AGE"] = database["CONN_MAX_AGE"], 0

    port = _free_port()
    server = Server(application, endpoints=[f"tcp:port={port}:interface=127.0.0.1"], signal_handlers=False, verbosity=0)
    thread = threading.Thread(target=server.run, name="asgi-server", daemon=True)
    thread.start()
    _wait_until_listening(port, thread)
    yield AsgiServer(port)
    from asgiref.sync import SyncToAsync
    from twisted.internet import reactor

    reactor.callFromThread(server.stop)
    thread.join(timeout=10)
    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=10)
    database["CONN_MAX_AGE"] = kept_alive
