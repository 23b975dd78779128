"""The city home against a community home, in-process CPU per request, on a `page_floor --keep` database.

    python -m tests.benchmarks.city_home FOLDER [--requests 30] [--batches 5] [--communities 700]

FOLDER is a `page_floor --keep FOLDER` database; without one there, it is seeded first (once).
Issue 20: the city home is a front door that does not grow with the city, within 2× of a community home's
CPU at 700 communities. Both pages through Django's WSGI handler with page_floor's settings (the page caches
off), best batch of each, logged out and as hubin's resident, in alternating rounds; queries of one request.
"""

import argparse
import sys
from pathlib import Path

from . import profile_floor, server
from .page_floor import COMMUNITY

GOAL = 2.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.city_home", description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="a folder a `page_floor --keep` run left")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--communities", type=int, default=700, help="communities to seed when FOLDER has none")
    args = parser.parse_args(argv)
    if not (args.folder / "bench.sqlite3").exists():
        from . import page_floor

        args.folder.mkdir(parents=True, exist_ok=True)
        page_floor.main(["--keep", str(args.folder), "--seed-only", "--communities", str(args.communities)])
    profile_floor.configure(args.folder)
    from communities.regions.models import Community

    from .page_floor import prepare

    _paths, cookie = prepare()
    city, community = profile_floor.WSGIClient(server.host()), profile_floor.WSGIClient(server.host(COMMUNITY))
    for client in (city, community):
        for who in ("", cookie):
            client.get("/", who)  # warm: the site map, templates, translations
    print(f"{Community.objects.count()} communities")
    print("| visitor | round | city home ms CPU | queries | community home ms CPU | queries | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    worst = 0.0
    for who, who_cookie in (("logged out", ""), ("resident", cookie)):
        for round_number in range(1, args.rounds + 1):
            home_ms = profile_floor.best_ms(community, "/", who_cookie, args.requests, args.batches)
            city_ms = profile_floor.best_ms(city, "/", who_cookie, args.requests, args.batches)
            home_q = profile_floor.queries(community, "/", who_cookie)
            city_q = profile_floor.queries(city, "/", who_cookie)
            worst = max(worst, city_ms / home_ms)
            print(
                f"| {who} | {round_number} | {city_ms:.2f} | {city_q} | {home_ms:.2f} | {home_q} "
                f"| {city_ms / home_ms:.2f}× |",
                flush=True,
            )
    print(f"\nworst ratio {worst:.2f}× (goal ≤ {GOAL}×): {'met' if worst <= GOAL else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
