"""A city-wide poll: 500,000 responses in a day, simulated as a steady 100 responses/s through gunicorn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> python -m tests.benchmarks.bench_poll \
        [--rate 100] [--seconds 300] [--workers 4] [--threads 128]

A fresh database (a new PostgreSQL database beside DATABASE_URL's, or a SQLite file without it), the
test city, one open poll on a1's site that anyone may answer (two questions: a single choice and a
rating), gunicorn (`portal.wsgi`, production settings, sync workers) on a loopback port.

The load is open-loop: response i is due at start + i / rate whatever happened to the ones before
(a closed-loop tool like wrk slows down with the server and hides the queue). A pool of threads
takes the responses in turn, waits for each one's due time, POSTs it over a new connection (a new
visitor each: no poll_visitor cookie, the same CSRF cookie and token, fetched before the clock
starts) and records the latency from the DUE time to the answer, so time spent waiting for a free
client thread or in the server's backlog counts. A response counts when the POST answers the
redirect the poll view gives after saving. Afterwards the poll's responses, their roll entries and
their answers are counted in the database: nothing may be lost.

Prints the achieved rate, p50/p90/p99/max latency, errors, the rows, the gunicorn workers' CPU per
response and the load average. Goal (issue 20): p99 under 200 ms and nothing lost.
"""

import argparse
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from tests.benchmarks import server
from tests.benchmarks.bench_votes import request

HOST = server.host("a1")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
QUESTIONS = [
    {
        "type": "single_choice",
        "value": {"key": "lift", "text": "是否同意加装电梯？", "help": "", "required": True, "show_if_key": "",
                  "show_if_values": "", "choices": ["同意", "不同意"]},
    },
    {
        "type": "rating",
        "value": {"key": "service", "text": "对社区服务的满意度", "help": "", "required": True, "show_if_key": "",
                  "show_if_values": "", "scale_min": 1, "scale_max": 5, "low_label": "很不满意",
                  "high_label": "很满意"},
    },
]  # fmt: skip
GOAL_P99_MS = 200


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100, help="responses per second (default 100)")
    parser.add_argument("--seconds", type=float, default=300, help="seconds of load (default 300: 5 minutes)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--threads", type=int, default=128, help="client threads (default 128)")
    return parser.parse_args(argv)


def prepare() -> tuple[int, str]:
    """The poll's page id and path."""
    from django.utils import timezone

    from participation.polls.models import PollIndexPage, PollPage
    from tests.conftest import build_city

    home = build_city()["a1"].root_page.specific
    index = home.get_children().type(PollIndexPage).first().specific
    now = timezone.now()
    poll = PollPage(
        title="全市公共服务满意度调查",
        slug="city-poll",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
        audience=PollPage.Audience.ANYONE,
        anonymous=True,
        results_visibility=PollPage.ResultsVisibility.AFTER_CLOSE,
        questions=QUESTIONS,
    )
    index.add_child(instance=poll)
    return poll.pk, poll.url_path[len(home.url_path) - 1 :]


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def load(port: int, path: str, cookies: str, token: str, rate: float, total: int, threads: int):
    """(latencies in ms of the responses that were saved, errors, wall-clock seconds)."""
    headers = {"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"}
    next_index, lock = iter(range(total)), threading.Lock()
    latencies, errors = [], []
    start = time.perf_counter() + 0.5

    def client():
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                return
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)  # pacing the load, not synchronising with anything
            body = urlencode(
                {"csrfmiddlewaretoken": token, "lift": "同意" if i % 3 else "不同意", "service": 1 + i % 5}
            )
            try:
                status, _, _ = request(port, "POST", path, headers, body)
            except OSError as error:
                status = repr(error)
            elapsed = (time.perf_counter() - due) * 1000
            with lock:
                (latencies if status == 302 else errors).append(elapsed if status == 302 else status)

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies, errors, time.perf_counter() - start


def main(argv=None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="poll-bench-"))
    try:
        return measure(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(args, workdir: Path) -> int:
    total = int(args.rate * args.seconds)
    with server.fresh_database(workdir) as database_url:
        env = server.bench_environment(workdir, database_url)
        server.manage(env, "migrate", "--noinput", "-v", "0")
        server.manage(env, "collectstatic", "--noinput", "-v", "0")
        server.manage(env, "compile_translations")
        os.environ.update(env)
        import django

        django.setup()
        from django.db import connection, connections

        from participation.polls.models import Answer, Participation, Response

        poll_id, path = prepare()
        vendor = connection.vendor
        connections.close_all()
        with server.gunicorn(env, args.workers, workdir / "gunicorn.log") as running:
            status, set_cookie, page = request(running.port, "GET", path, {})
            token, cookie = CSRF.search(page), re.search(r"csrftoken=([^;]+)", set_cookie)
            if status != 200 or not (token and cookie):
                raise SystemExit(f"the poll form did not come back (HTTP {status})")
            cookies = f"csrftoken={cookie.group(1)}"
            load_before = os.getloadavg()
            cpu_before = running.worker_cpu_seconds()
            latencies, errors, wall = load(running.port, path, cookies, token.group(1), args.rate, total, args.threads)
            cpu_after = running.worker_cpu_seconds()
        rows = (
            Response.objects.filter(poll_id=poll_id).count(),
            Participation.objects.filter(poll_id=poll_id).count(),
            Answer.objects.filter(response__poll_id=poll_id).count(),
        )
        connections.close_all()

    ordered = sorted(latencies)
    p99 = percentile(ordered, 0.99)
    cpu = "n/a" if None in (cpu_before, cpu_after) else f"{(cpu_after - cpu_before) * 1000 / max(1, total):.1f} ms"
    lost = total - rows[0]
    load_after = os.getloadavg()
    print(
        f"database: {vendor}; {total} responses due at {args.rate:g}/s over {args.seconds:g} s; gunicorn with "
        f"{args.workers} sync workers; {args.threads} client threads; {os.cpu_count()} cores; load average "
        f"before {' '.join(f'{x:.1f}' for x in load_before)}, after {' '.join(f'{x:.1f}' for x in load_after)}"
    )
    print(f"saved (302): {len(latencies)} in {wall:.1f} s = {len(latencies) / wall:.1f}/s; errors: {len(errors)}")
    if errors:
        print(f"  first errors: {errors[:5]}")
    print(
        "latency from the due time: "
        f"p50 {percentile(ordered, 0.5):.0f} ms  p90 {percentile(ordered, 0.9):.0f} ms  p99 {p99:.0f} ms  "
        f"max {ordered[-1] if ordered else float('nan'):.0f} ms; server CPU {cpu}/response"
    )
    print(f"rows: {rows[0]} responses, {rows[1]} roll entries, {rows[2]} answers; lost: {lost}")
    met = not errors and lost == 0 and rows[2] == 2 * total and p99 < GOAL_P99_MS
    print(f"goal (p99 < {GOAL_P99_MS} ms, nothing lost): {'met' if met else 'MISSED'}")
    return 0 if not errors and lost == 0 else 1


if __name__ == "__main__":
    sys.path.insert(0, str(server.PROJECT))
    sys.exit(main())
