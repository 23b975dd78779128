"""The benchmark's own database and gunicorn server, both thrown away afterwards."""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT = Path(__file__).resolve().parents[2]

# The production settings refuse the development "localhost" (portal/settings/production.py): the
# benchmarks serve the city on this domain, every community on <slug>.DOMAIN, all on loopback.
DOMAIN = "portal.localhost"
# What else production refuses to start without, as stand-ins that reach nothing.
PRODUCTION_STAND_INS = {
    "ID_HASH_SECRET": "bench-" + "x" * 40,
    "PORTAL_SMS_BACKEND": "portal.accounts.sms.HttpGatewaySMSBackend",
    "SMS_GATEWAY_URL": "http://127.0.0.1:9/",
    "SMS_GATEWAY_TOKEN": "bench",
    "WECHAT_SECRET_KEYS": "ZmRlZmRlZmRlZmRlZmRlZmRlZmRlZmRlZmRlZmRlZmQ=",
}


def host(community: str = "", domain: str = DOMAIN) -> str:
    """The Host header of the city portal, or of a community's site."""
    return f"{community}.{domain}" if community else domain


def bench_environment(workdir: Path, database_url: str) -> dict:
    """The production settings path with DEBUG off, on loopback, with this run's database."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.bench",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(64),
        PORTAL_BASE_DOMAIN=DOMAIN,
        PORTAL_SITE_PORT="80",
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        **PRODUCTION_STAND_INS,
        PORTAL_STATIC_ROOT=str(workdir / "static"),
        CACHE_KEY_PREFIX=f"bench-{secrets.token_hex(4)}",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(PROJECT),
    )
    env.pop("DEBUG", None)
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, env=env, check=True)


@contextmanager
def fresh_database(workdir: Path):
    """A new SQLite file in `workdir`, or a new PostgreSQL database beside DATABASE_URL's (dropped after)."""
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith(("postgres://", "postgresql://")):
        if given:
            print(f"DATABASE_URL is not PostgreSQL; using a fresh SQLite file instead of {given}")
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(given)
    name = f"{parts.path.lstrip('/') or 'portal'}_bench_{secrets.token_hex(3)}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def reused_database(workdir: Path):
    path = workdir / "bench.sqlite3"
    if not path.exists():
        raise SystemExit(f"No benchmark database at {path}: run with --keep first.")
    yield f"sqlite:///{path}"


def get(port: int, path: str, host: str) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


class Server:
    """A running gunicorn: its port, and the CPU time its workers have used (Linux)."""

    def __init__(self, port: int, pid: int):
        self.port, self.pid = port, pid

    def worker_cpu_seconds(self) -> float | None:
        """User + system CPU seconds of the master's worker processes, from /proc; None elsewhere."""
        try:
            children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
            total_ticks = 0
            for child in children:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                total_ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            return None
        return total_ticks / os.sysconf("SC_CLK_TCK")


def _listener() -> socket.socket:
    """A loopback socket on a free port: any, or the first free one of BENCH_PORTS ("8250-8259") when it
    is set (a machine shared by several people, each with a range of ports)."""
    first, _, last = os.environ.get("BENCH_PORTS", "0").partition("-")
    for port in range(int(first), int(last or first) + 1):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind(("127.0.0.1", port))
            return listener
        except OSError:
            listener.close()
    raise RuntimeError(f"no free port in BENCH_PORTS={os.environ['BENCH_PORTS']}")


@contextmanager
def gunicorn(env: dict, workers: int, log_path: Path):
    """gunicorn serving portal.wsgi on a free loopback port (a socket it inherits); yields a Server."""
    listener = _listener()
    listener.listen(2048)
    listener.set_inheritable(True)
    port = listener.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi:application",
        "--bind",
        f"fd://{listener.fileno()}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
    ]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=log, pass_fds=[listener.fileno()])
    listener.close()
    try:
        _wait_until_up(process, port, log_path, env.get("PORTAL_BASE_DOMAIN", DOMAIN))
        yield Server(port, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(process, port: int, log_path: Path, domain: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log_path}")
        try:
            if get(port, "/healthz", domain)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s; see {log_path}")
