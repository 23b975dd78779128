"""In-process CPU and queries of each page page_floor measures, on the database a `page_floor --keep` run left.

    python -m tests.benchmarks.profile_floor FOLDER [--requests 50] [--batches 5] [--only NAMES]
        [--profile NAME --who {out,resident} [--top 40] [--callers PATTERN]]

Requests go through Django's WSGI handler as gunicorn calls it (every middleware), with page_floor's
settings (tests.benchmarks.page_settings, the page caches off), in this process, with no socket. Each page
is timed in batches and the best batch counts (what the code costs on a machine whose other jobs steal
time), next to the bare Wagtail page, logged out and as hubin's resident; the queries of one request are
counted. `--profile NAME` prints cProfile's top functions for one page.
"""

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

from . import server
from .page_floor import COMMUNITY


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks.profile_floor", description=__doc__.split("\n")[0]
    )
    parser.add_argument("folder", type=Path, help="a folder a `page_floor --keep` run left")
    parser.add_argument("--requests", type=int, default=50, help="requests per batch (default 50)")
    parser.add_argument("--batches", type=int, default=5, help="batches per page (default 5)")
    parser.add_argument("--only", default="", help="comma-separated page names (default: all)")
    parser.add_argument("--profile", default="", metavar="NAME", help="profile this page instead of timing all")
    parser.add_argument("--who", choices=("out", "resident"), default="out", help="for --profile (default out)")
    parser.add_argument("--top", type=int, default=40, help="functions --profile prints (default 40)")
    parser.add_argument("--sort", default="cumulative", help="--profile's sort key (default cumulative)")
    parser.add_argument("--callers", default="", metavar="PATTERN", help="--profile: who calls functions matching this")
    return parser.parse_args(argv)


def configure(folder: Path) -> None:
    database = folder / "bench.sqlite3"
    if not database.exists():
        raise SystemExit(f"No benchmark database at {database}: run `page_floor --keep {folder}` first.")
    env = server.bench_environment(folder, f"sqlite:///{database}")
    env.update(
        DJANGO_SETTINGS_MODULE="tests.benchmarks.page_settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        PORTAL_PAGE_CACHE_SECONDS="0",
        FORUM_PAGE_CACHE_SECONDS="0",
    )
    os.environ.update(env)
    import django

    django.setup()


class WSGIClient:
    def __init__(self, host: str):
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import RequestFactory

        self.handler, self.factory, self.host = WSGIHandler(), RequestFactory(), host

    def get(self, path: str, cookie: str = "") -> int:
        statuses = []
        extra = {"HTTP_COOKIE": cookie} if cookie else {}
        environ = self.factory.get(path, HTTP_HOST=self.host, **extra).environ
        response = self.handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
        try:
            b"".join(response)
        finally:
            response.close()
        return int(statuses[0].split()[0])


def best_ms(client, path, cookie, requests, batches) -> float:
    best = float("inf")
    for _ in range(batches):
        start = time.process_time()
        for _ in range(requests):
            if client.get(path, cookie) != 200:
                raise SystemExit(f"{path} answered non-200")
        best = min(best, (time.process_time() - start) * 1000 / requests)
    return best


def queries(client, path, cookie) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(path, cookie)
    return len(captured)


def main(argv=None) -> int:
    args = parse_args(argv)
    configure(args.folder)
    from .page_floor import prepare

    paths, cookie = prepare()
    client = WSGIClient(server.host(COMMUNITY))
    for path in paths.values():
        for who in ("", cookie):
            client.get(path, who)  # warm: the site map, templates, translations
    if args.profile:
        path, who = paths[args.profile], cookie if args.who == "resident" else ""
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            client.get(path, who)
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats(args.sort)
        if args.callers:
            stats.print_callers(args.callers)
        else:
            stats.print_stats(args.top)
        return 0
    bare_path = paths.pop("bare Wagtail page")
    wanted = [name for name in paths if not args.only or name in args.only.split(",")]
    print("| page | visitor | ms CPU | bare ms CPU | bare / page | queries | bare queries |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for who, who_cookie in (("logged out", ""), ("resident", cookie)):
        bare_ms = best_ms(client, bare_path, who_cookie, args.requests, args.batches)
        bare_queries = queries(client, bare_path, who_cookie)
        for name in wanted:
            ms = best_ms(client, paths[name], who_cookie, args.requests, args.batches)
            count = queries(client, paths[name], who_cookie)
            print(
                f"| {name} | {who} | {ms:.2f} | {bare_ms:.2f} | {bare_ms / ms:.0%} | {count} | {bare_queries} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
