"""`make bench`: the API's community notices list and the Open311 `requests` GET against /healthz, in
the same run on one gunicorn server (the API is not behind the page cache: uncached).

    python -m tests.benchmarks.api [--communities 700] [--seconds 10] [--rounds 5] [--workers 2]

Builds a fresh database, seeds the demo city grown to N communities, then alternates wrk rounds over
the three URLs. Prints each URL's requests/s and its ratio to /healthz (goal ≥ 25%). Not a test.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

from . import server, wrk
from .run import _remove, prepare

GOAL = 0.25
HOST = server.host()


def main(argv=None) -> int:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.api", description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=700)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=2 * cores)
    args = parser.parse_args(argv)
    wrk_path = wrk.ensure_installed()
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-api-"))
    targets = [
        ("/healthz", "/healthz", HOST),
        ("notices API (cuiyuan)", "/api/v1/notices?community=cuiyuan", HOST),
        ("Open311 GET requests", "/open311/v2/requests.json", HOST),
    ]
    with server.fresh_database(workdir) as database_url:
        env = dict(server.bench_environment(workdir, database_url), PORTAL_API_RATE="1000000/s")
        prepare(env, args.communities)
        with server.gunicorn(env, args.workers, workdir / "gunicorn.log") as running:
            for _target, path, host in targets:
                status, _, _ = server.get(running.port, path, host)
                if status != 200:
                    print(f"FAILED RUN: {path} answered {status}", file=sys.stderr)
                    return 1
            rounds = {target: [] for target, _, _ in targets}
            seconds = max(1, args.seconds // args.rounds)
            for _ in range(args.rounds):
                for target, path, host in targets:
                    url = f"http://127.0.0.1:{running.port}{path}"
                    rounds[target].append(wrk.run(wrk_path, target, url, host, seconds, args.connections, "uncached"))
    results = {target: wrk.combine(target, "uncached", rounds[target]) for target, _, _ in targets}
    base = results["/healthz"].requests_per_second
    print(f"\n{args.communities} communities, {args.workers} gunicorn workers, {args.connections} connections")
    failed = [f"{r.target}: {r.failure}" for r in results.values() if r.failure]
    for target, result in results.items():
        ratio = result.requests_per_second / base if base else 0
        verdict = "" if target == "/healthz" else f"  {ratio:.1%} of /healthz (goal ≥ {GOAL:.0%})"
        print(f"  {target:<26} {result.requests_per_second:9.1f} req/s  p99 {result.p99_ms:.1f} ms{verdict}")
    _remove(workdir)
    for failure in failed:
        print(f"FAILED RUN: {failure}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
