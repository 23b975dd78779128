"""Benchmark: a thread page with 10,000 replies (page 1 and the last page) against /healthz.

Runs gunicorn on a free loopback port over a fresh database (a temporary SQLite file, or
DATABASE_URL when set), drives it with keep-alive HTTP clients for a few seconds per URL, and
prints requests/s and p99 latency. Goal: each thread page at least 20% of /healthz's requests/s.

    python -m tests.benchmarks.forum_thread [--replies 10000] [--seconds 5] [--clients 4]
"""

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(replies: int) -> int:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from participation.forums.models import ForumCategory, Post, Thread
    from participation.forums.services import create_thread
    from tests.conftest import build_city

    city = build_city()
    community = city["a1"]
    author = get_user_model().objects.create_user("bench", password="bench-password-1")
    category = ForumCategory.objects.create(community=community, name="Bench", slug="bench")
    thread = create_thread(
        community=community, category=category, author=author, title="Bench", body="op", state="published"
    )
    Post.objects.bulk_create(
        (
            Post(
                community=community,
                thread=thread,
                number=n,
                author=author,
                body=f"reply {n} " * 20,
                body_html="<p>" + f"reply {n} " * 20 + "</p>",
            )
            for n in range(2, replies + 2)
        ),
        batch_size=2000,
    )
    Thread.objects.filter(pk=thread.pk).update(last_number=replies + 1, reply_count=replies)
    return thread.pk


def load(port: int, host: str, path: str, seconds: float, clients: int):
    latencies, errors = [], []
    stop = time.monotonic() + seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            conn.request("GET", path, headers={"Host": host})
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                errors.append(response.status)
        latencies.extend(mine)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
    return len(latencies) / elapsed, p99 * 1000, len(errors)


def wait_until_up(port: int, deadline: float = 60) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz", headers={"Host": "localhost"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    tmp = tempfile.mkdtemp(prefix="forum-bench-")
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.test", MEDIA_ROOT=tmp, PORTAL_PAGE_CACHE_SECONDS="0")
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    thread_id = prepare_database(args.replies)

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", str(args.workers), "--access-logfile", "/dev/null", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        wait_until_up(port)
        targets = [
            ("/healthz", "localhost", "/healthz"),
            ("thread page 1", "a1.localhost", f"/forum/t/{thread_id}/?page=1"),
            ("thread last page", "a1.localhost", f"/forum/t/{thread_id}/?page=last"),
        ]
        print(f"{args.replies} replies, {args.clients} clients, {args.workers} gunicorn workers, {args.seconds}s each")
        baseline = None
        for name, host, path in targets:
            load(port, host, path, 1, args.clients)  # warm up
            rps, p99, errors = load(port, host, path, args.seconds, args.clients)
            baseline = baseline or rps
            print(f"{name:18} {rps:8.1f} req/s  p99 {p99:7.1f} ms  {rps / baseline:6.1%} of /healthz  errors {errors}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
