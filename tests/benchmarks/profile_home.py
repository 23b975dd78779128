"""In-process CPU cost of the community home page against /healthz, on a database a `--keep` run left.

    python -m tests.benchmarks.profile_home FOLDER [--requests 200] [--batches 15] [--profile 30]

Requests go through Django's WSGI handler as gunicorn calls it (every middleware; database
connections kept or closed as the settings say) with the benchmark's settings and the page cache
off, in this process, with no socket: the time is the application's own CPU. Each URL is timed
in batches and the best batch counts, which is what the code costs on a machine whose other jobs
steal time. `--profile N` prints cProfile's N most expensive functions of the
home page (cumulative).
"""

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import time
from pathlib import Path


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.profile_home", description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="a folder a `python -m tests.benchmarks.run --keep` run left")
    parser.add_argument("--community", default="bench-350", help="slug of the community whose home is measured")
    parser.add_argument("--requests", type=int, default=200, help="requests per batch (default 200)")
    parser.add_argument("--batches", type=int, default=15, help="batches per URL (default 15)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print cProfile's N top functions")
    return parser.parse_args(argv)


def configure(folder: Path) -> None:
    database = folder / "bench.sqlite3"
    if not database.exists():
        raise SystemExit(f"No benchmark database at {database}: run `python -m tests.benchmarks.run --keep` first.")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings.bench",
        DATABASE_URL=f"sqlite:///{database}",
        SECRET_KEY=secrets.token_urlsafe(64),
        PORTAL_BASE_DOMAIN="localhost",
        PORTAL_SITE_PORT="80",
        PORTAL_STATIC_ROOT=str(folder / "static"),
        PORTAL_PAGE_CACHE_SECONDS="0",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


class WSGIClient:
    """GETs through Django's WSGI handler as gunicorn calls it (unlike the test client, which keeps
    database connections open across requests, this closes them as settings say)."""

    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import RequestFactory

        self.handler, self.factory = WSGIHandler(), RequestFactory()

    def get(self, path: str, host: str) -> tuple[int, bytes]:
        statuses = []
        environ = self.factory.get(path, HTTP_HOST=host).environ
        response = self.handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
        try:
            body = b"".join(response)
        finally:
            response.close()
        return int(statuses[0].split()[0]), body


def best_batch_ms(client, path: str, host: str, requests: int, batches: int) -> float:
    """Milliseconds of process CPU per request in the cheapest batch."""
    best = float("inf")
    for _ in range(batches):
        start = time.process_time()
        for _ in range(requests):
            status, _body = client.get(path, host)
            if status != 200:
                raise SystemExit(f"{host}{path} answered {status}")
        best = min(best, (time.process_time() - start) * 1000 / requests)
    return best


def main(argv=None) -> int:
    args = parse_args(argv)
    configure(args.folder)
    client = WSGIClient()
    home_host = f"{args.community}.localhost"
    client.get("/", home_host)
    healthz = best_batch_ms(client, "/healthz", "localhost", args.requests, args.batches)
    home = best_batch_ms(client, "/", home_host, args.requests, args.batches)
    print(f"/healthz: {healthz:.3f} ms CPU per request (best of {args.batches} batches of {args.requests})")
    print(f"{home_host}/: {home:.3f} ms CPU per request")
    print(f"home / healthz by CPU: {healthz / home:.1%}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            client.get("/", home_host)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
