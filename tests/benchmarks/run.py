"""`make bench`: the community home page against a minimal Django view, from one gunicorn server.

    python -m tests.benchmarks.run [--communities 700] [--seconds 10] [--workers 2] [--no-write]

Builds a fresh database (SQLite in a temporary folder, or a new PostgreSQL database beside
DATABASE_URL's), seeds the city, starts gunicorn on a free loopback port and measures
/healthz and a community home page with wrk, with the per-site page cache off and on.
Prints a table and writes it into docs/performance.md. Exits non-zero when a run failed
(an error or non-2xx responses); a missed goal is reported, not failed: this is not a test.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from . import report, server, wrk

GOALS = {"uncached": 0.25, "cached": 0.70}
CACHE_SECONDS = {"uncached": "0", "cached": "300"}


def parse_args(argv):
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=700, help="communities to seed (default 700)")
    parser.add_argument("--community", default="bench-350", help="slug of the community whose home is measured")
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per URL and mode (default 10)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds the seconds are split into (default 5)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured load before each run")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument(
        "--connections", type=int, default=2 * cores, help=f"wrk connections (default 2 per core: {2 * cores})"
    )
    parser.add_argument("--no-write", action="store_true", help="do not update docs/performance.md")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, logs)")
    parser.add_argument(
        "--reuse", type=Path, help="measure again on the SQLite database a --keep run left in this folder (no seed)"
    )
    return parser.parse_args(argv)


def prepare(env: dict, communities: int) -> tuple[float, float]:
    """Migrate, collect static files and seed; returns the wall-clock and CPU seconds of the seed."""
    server.manage(env, "migrate", "--noinput", "-v", "0")
    server.manage(env, "collectstatic", "--noinput", "-v", "0")
    server.manage(env, "compile_translations")
    started, cpu_started = time.perf_counter(), _children_cpu()
    server.manage(env, "seed_demo", "--allow-production", "--communities", str(communities))
    return time.perf_counter() - started, _children_cpu() - cpu_started


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def check_pages(port: int, community_host: str, cached: bool) -> None:
    """The measured URLs answer 200 with real content, and the cache serves hits when it is on."""
    status, _, body = server.get(port, "/healthz", server.host())
    if status != 200:
        raise RuntimeError(f"/healthz answered {status}")
    status, _, body = server.get(port, "/", community_host)
    _, _, fallback = server.get(port, "/", server.host("no-such-community"))  # unknown hosts get the city portal
    if status != 200 or body == fallback or b"<h1" not in body:
        raise RuntimeError(f"{community_host} answered {status} without a community home page of its own")
    # Each worker has to render the page once before it can be a hit (local-memory caches are per worker).
    hits = [server.get(port, "/", community_host)[1].get("x-page-cache") == "hit" for _ in range(20)]
    if cached and not any(hits):
        raise RuntimeError("the page cache is on but 20 requests brought no hit")
    if not cached and any(hits):
        raise RuntimeError("the page cache is off but a request was a hit")


def measure(wrk_path, env, args, workdir, community_host) -> list[wrk.WrkResult]:
    """Per page-cache mode, one server; /healthz and the home page alternate in short rounds,
    so that both see the same machine (other processes' load changes by the second)."""
    targets = [("/healthz", "/healthz", server.host()), ("community home", "/", community_host)]
    round_seconds = max(1, args.seconds // args.rounds)
    results = []
    for mode in ("uncached", "cached"):
        mode_env = dict(env, PORTAL_PAGE_CACHE_SECONDS=CACHE_SECONDS[mode])
        with server.gunicorn(mode_env, args.workers, workdir / f"gunicorn-{mode}.log") as running:
            check_pages(running.port, community_host, cached=mode == "cached")
            rounds = {target: [] for target, _, _ in targets}
            for target, path, host in targets:
                if args.warmup:
                    wrk.run(wrk_path, target, f"http://127.0.0.1:{running.port}{path}", host, args.warmup, 2)
            for _ in range(args.rounds):
                for target, path, host in targets:
                    url = f"http://127.0.0.1:{running.port}{path}"
                    cpu_before = running.worker_cpu_seconds()
                    result = wrk.run(wrk_path, target, url, host, round_seconds, args.connections, mode)
                    cpu_after = running.worker_cpu_seconds()
                    if cpu_before is not None and cpu_after is not None:
                        result.cpu_seconds = cpu_after - cpu_before
                    rounds[target].append(result)
            for target, _, _ in targets:
                result = wrk.combine(f"{target} ({mode})", mode, rounds[target])
                results.append(result)
                print(f"  {result.target:<28} {result.requests_per_second:9.1f} req/s", flush=True)
    return results


def main(argv=None) -> int:
    args = parse_args(argv)
    wrk_path = wrk.ensure_installed()
    community_host = server.host(args.community)
    workdir = args.reuse or Path(tempfile.mkdtemp(prefix="portal-bench-"))
    failures = []
    database = server.reused_database(workdir) if args.reuse else server.fresh_database(workdir)
    with database as database_url:
        env = server.bench_environment(workdir, database_url)
        print(f"Benchmark folder: {workdir}\nDatabase: {database_url}", flush=True)
        seed_seconds, seed_cpu = (float("nan"), float("nan")) if args.reuse else prepare(env, args.communities)
        print(f"Seeded {args.communities} communities in {seed_seconds:.1f} s ({seed_cpu:.1f} s CPU)", flush=True)
        results = measure(wrk_path, env, args, workdir, community_host)
    for result in results:
        if result.failure:
            failures.append(f"{result.target}: {result.failure}")
    summary = report.Summary(
        results=results,
        goals=GOALS,
        seed_seconds=seed_seconds,
        seed_cpu_seconds=seed_cpu,
        communities=args.communities,
        community_host=community_host,
        workers=args.workers,
        connections=args.connections,
        seconds=args.seconds,
        rounds=args.rounds,
        database=database_url.split(":", 1)[0],
        cache="Redis" if os.environ.get("REDIS_URL") else "local memory (per worker)",
        command=" ".join(["python -m tests.benchmarks.run", *(argv if argv is not None else sys.argv[1:])]),
    )
    print()
    print(summary.text())
    if not args.no_write:
        report.write_into_docs(summary)
        print(f"Wrote the results into {report.DOC}")
    if not args.keep and not args.reuse:
        _remove(workdir)
    for failure in failures:
        print(f"FAILED RUN: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
