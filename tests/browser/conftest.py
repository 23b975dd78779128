"""One real server process (temp SQLite, migrated, demo seeded) and one Chromium for the browser tests.

Debian's Chromium is driven by Playwright's Python package; nothing is downloaded. The server runs
`manage.py runserver --noreload --insecure` (test settings, DEBUG off, static files from the finders)
on a free loopback port, with PORTAL_SITE_PORT set so every community Site links to that port.
Under pytest-xdist the server, its database and media live in the worker's own temporary folder.
"""

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests import template_db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_TIMEOUT = 60


def pytest_addoption(parser):
    parser.addoption(
        "--screenshots",
        action="store_true",
        default=False,
        help="write the screenshots of every page type to docs/screenshots/ (make screenshots)",
    )


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    """Under `pytest -n --dist loadgroup` (make test) every browser test runs on one worker, so the
    run seeds one demo server and starts one Chromium rather than one per worker. (Without
    loadgroup each worker gets its own server and browser: slower, equally correct.)"""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PortalServer:
    def __init__(self, port: int, db_path: Path, log_path: Path):
        self.port = port
        self.wechat_port = _free_port()  # WeChat's API and OAuth pages: the `wechat_standin` fixture serves them
        self.db_path = db_path
        self.log_path = log_path

    def url(self, host: str = "localhost", path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def query(self, sql: str, *params):
        """Read the server's database directly (read-only), e.g. to find a Site's id."""
        with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True) as connection:
            return connection.execute(sql, params).fetchall()


def _manage(env, *args, log):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=log, stderr=log, check=True)


def _wait_until_healthy(server: PortalServer, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}; see {server.log_path}")
        try:
            with urllib.request.urlopen(server.url(path="/healthz"), timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)  # polling a port that is not open yet
    raise RuntimeError(f"the server did not answer /healthz within {SERVER_START_TIMEOUT}s; see {server.log_path}")


@pytest.fixture(scope="session")
def portal_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("browser-server")
    port = _free_port()
    server = PortalServer(port, workdir / "portal.sqlite3", workdir / "server.log")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": f"sqlite:///{server.db_path}",
        "REDIS_URL": "",  # the server's cache is its own (in memory), never a shared Redis db
        "PORTAL_SITE_PORT": str(port),
        "MEDIA_ROOT": str(workdir / "media"),
        "LOG_LEVEL": "WARNING",
        "PORTAL_TEST_SMS_BACKEND": "portal.accounts.sms.LoggingSMSBackend",  # codes in the log, as `make run`
        "WECHAT_API_BASE_URL": f"http://127.0.0.1:{server.wechat_port}",
        "WECHAT_OAUTH_BASE_URL": f"http://127.0.0.1:{server.wechat_port}/connect/",
    }
    with open(server.log_path, "w") as log:
        _manage(env, "compile_translations", log=log)
        # Migrated once per version of the code: a copy of the SQLite template the test workers share
        # (tests/template_db.py), which `migrate` then only checks; or migrated here and kept as that template.
        template_db.migrated_sqlite_file(server.db_path, lambda: _manage(env, "migrate", "--noinput", "-v0", log=log))
        _manage(env, "seed_demo", log=log)
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", "--insecure", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            _wait_until_healthy(server, process)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="package")
def browser():
    # Package scope: Playwright's sync API keeps an event loop alive, which must be gone before the
    # database tests of other folders run (Django refuses ORM calls from an async context).
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def visitor(browser):
    """A page in a fresh visitor's browser context (default mode, Chinese)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


@pytest.fixture(scope="package")
def elder_visitor(browser, portal_server):
    """A page in a browser context whose every demo host has the elder-mode cookie."""
    from .pages import ALL_HOSTS

    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="zh-CN")
    context.add_cookies([{"name": "elder_mode", "value": "1", "url": portal_server.url(host)} for host in ALL_HOSTS])
    yield context.new_page()
    context.close()


@pytest.fixture(scope="package")
def wechat_standin(portal_server):
    """The stand-in for WeChat's API and OAuth pages on the port the server was told, for 翠园's demo app."""
    from communities.wechat.demo import DEMO_APP_ID, DEMO_SECRET
    from portal.wechat.standin import WeChatStandIn

    standin = WeChatStandIn({DEMO_APP_ID: DEMO_SECRET}, port=portal_server.wechat_port).start()
    yield standin
    standin.stop()
