"""Vote casting rate through the real HTTP vote endpoint against the cheapest authenticated write
Django can do in the same server, and against a raw single-row INSERT + COMMIT loop.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> python -m tests.benchmarks.bench_votes \
        [votes (default 2000)] [--clients 4] [--workers 2] [--rounds 5] [--post-only]

Every side runs on the same throw-away database (a new PostgreSQL database beside DATABASE_URL's,
or a SQLite file without it), in the same run, with the same number of concurrent clients:

* endpoint: gunicorn (`portal.wsgi`, production settings, sync workers) on a loopback port; each
  client thread casts one vote after another over new HTTP connections (sync workers close them),
  with the voter's session cookie, CSRF token and the nonce from the vote form. Logging in and
  GETting the form happen before the clock starts. A vote is the POST, which must answer 303 to
  the receipt page, AND the GET of that page with the receipt cookie the POST set, which must show
  the code: what a browser does (post/redirect/get). With --post-only a vote is the POST alone.
  The roll and the ballots must hold exactly `votes` rows afterwards.
* baseline ("the cheapest authenticated write"): the same gunicorn serves a bench-only view
  (tests/benchmarks/write_baseline.py, mounted by the bench-only settings module
  tests.benchmarks.write_settings, never by production's URLs) that loads the session's user, lets
  the CSRF middleware check the token, and inserts one row; the same voters' cookies and tokens,
  one POST per write, answered 204.
* raw: each client thread on its own database connection, in autocommit, runs
  `INSERT INTO bench_raw VALUES (id, option)`: one row, one transaction, one commit per vote.

The three sides alternate in rounds (default 5), so that all see the same machine. Besides the
rates it prints the CPU the gunicorn workers used per vote and per baseline write (from /proc), and,
in-process through Django's test client, the queries of one vote's POST (BEGIN and COMMIT not
counted) and the best CPU time per vote over 6 batches of 40 votes (the steadiest number on a
shared machine; the POST and the receipt page, or the POST alone with --post-only).
"""

import argparse
import http.client
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

HOST = server.host("a1")
CPU_BATCHES, CPU_BATCH_SIZE = 6, 40
NONCE = re.compile(r'name="nonce" value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("votes", nargs="?", type=int, default=2000, help="votes cast on each side (default 2000)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients on both sides (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2, one per core)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds that alternate the sides (default 5)")
    parser.add_argument(
        "--post-only", action="store_true", help="a vote is the POST alone, without GETting the receipt page"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print a cProfile of the in-process votes' last batch (top 30)"
    )
    return parser.parse_args(argv)


def prepare(votes: int, spare: int):
    """A community, an open topic with two options, `votes` logged-in voters (their session keys), `spare` more."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from participation.deliberations.models import Option, Topic
    from portal.accounts.models import Membership
    from tests.conftest import build_city

    community = build_city()["a1"]
    now = timezone.now()
    topic = Topic.objects.create(
        community=community,
        title="bench",
        description="bench",
        discussion_starts=now - timedelta(days=2),
        voting_starts=now - timedelta(days=1),
        voting_ends=now + timedelta(days=1),
    )
    options = [Option.objects.create(topic=topic, label=label).pk for label in ("yes", "no")]
    User = get_user_model()
    users = User.objects.bulk_create([User(username=f"bench{i}", password="x") for i in range(votes + spare)])
    Membership.objects.bulk_create(  # only verified residents of the community may vote
        [Membership(user=user, community=community, status=Membership.Status.VERIFIED) for user in users]
    )
    sessions = []
    for user in users[:votes]:
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies["sessionid"].value)
    return topic.pk, options, sessions, users[votes:]


def in_parallel(clients: int, items: list, work) -> float:
    """Run work(item) for every item on `clients` threads; returns the wall-clock seconds."""
    from django.db import connection

    pending, lock, errors = list(reversed(items)), threading.Lock(), []

    def worker():
        try:
            while True:
                with lock:
                    if not pending or errors:
                        return
                    item = pending.pop()
                try:
                    work(item)
                except Exception as error:  # reported below: one failure stops the run
                    errors.append(error)
        finally:
            connection.close()  # this thread's own database connection, if it opened one

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started


def request(port: int, method: str, path: str, headers: dict, body: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers={"Host": HOST, "Accept-Language": "en", **headers})
        response = conn.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read().decode()
    finally:
        conn.close()


def fetch_form(port: int, topic_id: int, session: str, option: int) -> tuple[str, dict]:
    """GET the topic page as this voter: the CSRF cookie, and the form with its token and nonce."""
    status, set_cookie, page = request(port, "GET", f"/deliberations/{topic_id}/", {"Cookie": f"sessionid={session}"})
    nonce, token, cookie = NONCE.search(page), CSRF.search(page), re.search(r"csrftoken=([^;]+)", set_cookie)
    if status != 200 or not (nonce and token and cookie):
        raise RuntimeError(f"the vote form did not come back (HTTP {status})")
    cookies = f"sessionid={session}; csrftoken={cookie.group(1)}"
    return cookies, {"option": option, "nonce": nonce.group(1), "csrfmiddlewaretoken": token.group(1)}


RECEIPT_COOKIE = re.compile(r"ballot_receipt=([^;]+)")
RECEIPT_CODE = re.compile(r"<code>[A-Z2-9]{4}(-[A-Z2-9]{4}){4}</code>")


def cast(port: int, topic_id: int, cookies: str, form: dict, follow: bool) -> None:
    """POST the vote (303 to the receipt page); with `follow`, GET the receipt page as a browser would."""
    headers = {"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"}
    status, set_cookie, page = request(port, "POST", f"/deliberations/{topic_id}/vote/", headers, urlencode(form))
    if status == 200 and RECEIPT_CODE.search(page):
        return  # a version that shows the receipt in the POST's answer (before post/redirect/get)
    handed = RECEIPT_COOKIE.search(set_cookie)
    if status != 303 or not handed:
        raise RuntimeError(f"a vote was not recorded (HTTP {status})")
    if follow:
        cookie = f"{cookies}; ballot_receipt={handed.group(1)}"
        status, _, page = request(port, "GET", f"/deliberations/{topic_id}/receipt/", {"Cookie": cookie})
        if status != 200 or not RECEIPT_CODE.search(page):
            raise RuntimeError(f"the receipt page did not show the code (HTTP {status})")


def baseline_write(port: int, cookies: str, form: dict, row: int) -> None:
    """The cheapest authenticated write: session, CSRF token, one row (write_baseline.write)."""
    headers = {"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"}
    body = urlencode({"csrfmiddlewaretoken": form["csrfmiddlewaretoken"], "id": row})
    status, _, _ = request(port, "POST", "/bench/write/", headers, body)
    if status != 204:
        raise RuntimeError(f"a baseline write failed (HTTP {status})")


def in_process(
    topic_id: int, option: int, voters: list, batches: int, follow: bool, profile: bool = False
) -> tuple[int, float]:
    """(queries of one vote's POST, best CPU ms per vote over `batches`) through Django's test client.

    In-process CPU time barely depends on what else the shared machine runs: the steadiest number
    for comparing one version of the vote path with another.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def ready(voter):
        client = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(voter)
        nonce = NONCE.search(client.get(f"/deliberations/{topic_id}/").content.decode()).group(1)
        return client, {"option": option, "nonce": nonce}

    def vote(client, data):
        response = client.post(f"/deliberations/{topic_id}/vote/", data)
        if response.status_code == 200 and RECEIPT_CODE.search(response.content.decode()):
            return  # a version that shows the receipt in the POST's answer (before post/redirect/get)
        if response.status_code != 303:
            raise RuntimeError(f"an in-process vote was not recorded (HTTP {response.status_code})")
        if follow and not RECEIPT_CODE.search(client.get(response["Location"]).content.decode()):
            raise RuntimeError("the in-process receipt page did not show the code")

    held_back = voters[-CPU_BATCH_SIZE:] if profile else []
    voters = voters[: len(voters) - len(held_back)]
    prepared = [ready(voter) for voter in voters]  # also warms this process's site map
    with CaptureQueriesContext(connection) as captured:
        client, data = prepared.pop()
        client.post(f"/deliberations/{topic_id}/vote/", data)  # the POST's queries alone
    queries = len([q for q in captured.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")])
    size, best = len(prepared) // batches, float("inf")
    for batch in range(batches):
        started = time.process_time()
        for client, data in prepared[batch * size : (batch + 1) * size]:
            vote(client, data)
        best = min(best, (time.process_time() - started) * 1000 / size)
    if profile:  # after the timed batches, on a few more votes (cProfile slows what it watches)
        import cProfile
        import pstats

        for query in captured.captured_queries:  # the POST's queries, measured above
            print("  query:", query["sql"][:160])
        profiler = cProfile.Profile(time.process_time)  # CPU, not the wall clock of a shared machine
        extra = [ready(voter) for voter in held_back]
        profiler.enable()
        for client, data in extra:
            vote(client, data)
        profiler.disable()
        stats = pstats.Stats(profiler).strip_dirs()
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(20)
    return queries, best


def create_raw_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_raw (id integer PRIMARY KEY, option integer NOT NULL)")


def raw_inserts(clients: int, ids: list[int]) -> float:
    from django.db import connection

    def insert(i):
        with connection.cursor() as cursor:  # autocommit: every INSERT is its own transaction
            cursor.execute("INSERT INTO bench_raw (id, option) VALUES (%s, %s)", [i, i % 2])

    return in_parallel(clients, ids, insert)


def chunks(items: list, rounds: int) -> list[list]:
    size = -(-len(items) // rounds)
    return [items[i : i + size] for i in range(0, len(items), size)]


def main(argv=None) -> None:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="vote-bench-"))
    try:
        measure(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(args, workdir: Path) -> None:
    with server.fresh_database(workdir) as database_url:
        env = server.bench_environment(workdir, database_url)
        env["DJANGO_SETTINGS_MODULE"] = "tests.benchmarks.write_settings"  # + the baseline view, bench only
        server.manage(env, "migrate", "--noinput", "-v", "0")
        server.manage(env, "collectstatic", "--noinput", "-v", "0")
        server.manage(env, "compile_translations")
        os.environ.update(env)
        import django

        django.setup()
        from django.db import connection, connections

        from participation.deliberations.models import Ballot, VoterRoll
        from tests.benchmarks import write_baseline

        topic_id, options, sessions, spare_voters = prepare(
            args.votes, 1 + CPU_BATCHES * CPU_BATCH_SIZE + (CPU_BATCH_SIZE if args.profile else 0)
        )
        create_raw_table()
        write_baseline.create_table()
        vendor = connection.vendor
        connections.close_all()
        endpoint_seconds = raw_seconds = cpu_seconds = baseline_seconds = baseline_cpu = 0.0
        follow = not args.post_only
        with server.gunicorn(env, args.workers, workdir / "gunicorn.log") as running:
            forms = []
            lock = threading.Lock()

            def get_form(i):
                form = fetch_form(running.port, topic_id, sessions[i], options[i % 2])
                with lock:
                    forms.append(form)

            in_parallel(args.clients, list(range(args.votes)), get_form)
            # Alternate the two sides in rounds, so that both see the same machine (it is shared).
            rounds = zip(chunks(forms, args.rounds), chunks(list(range(args.votes)), args.rounds), strict=True)
            for votes, ids in rounds:
                cpu_before = running.worker_cpu_seconds()
                endpoint_seconds += in_parallel(
                    args.clients, votes, lambda form: cast(running.port, topic_id, *form, follow)
                )
                cpu_after = running.worker_cpu_seconds()
                known = None not in (cpu_seconds, cpu_before, cpu_after)
                cpu_seconds = cpu_seconds + cpu_after - cpu_before if known else None
                writes = list(zip(votes, ids, strict=True))
                baseline_seconds += in_parallel(
                    args.clients, writes, lambda item: baseline_write(running.port, *item[0], item[1])
                )
                cpu_later = running.worker_cpu_seconds()
                known = None not in (baseline_cpu, cpu_after, cpu_later)
                baseline_cpu = baseline_cpu + cpu_later - cpu_after if known else None
                raw_seconds += raw_inserts(args.clients, ids)
        stored = (Ballot.objects.filter(topic=topic_id).count(), VoterRoll.objects.filter(topic=topic_id).count())
        if stored != (args.votes, args.votes):  # checked before the extra, counted vote below
            raise SystemExit(f"expected {args.votes} ballots and roll entries, found {stored}")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {write_baseline.TABLE}")
            if cursor.fetchone()[0] != args.votes:
                raise SystemExit(f"expected {args.votes} baseline rows")
        queries, in_process_cpu = in_process(topic_id, options[0], spare_voters, CPU_BATCHES, follow, args.profile)
        connections.close_all()

    endpoint_rate, raw_rate = args.votes / endpoint_seconds, args.votes / raw_seconds
    baseline_rate = args.votes / baseline_seconds
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())

    def per(seconds):
        return "n/a" if seconds is None else f"{seconds * 1000 / args.votes:.2f} ms"

    what = "POST only (303)" if args.post_only else "POST (303) + receipt page GET"
    print(
        f"database: {vendor}; {args.votes} votes, {args.votes} baseline writes and {args.votes} raw rows in "
        f"{args.rounds} alternating rounds; {args.clients} concurrent clients on every side; gunicorn with "
        f"{args.workers} sync workers; {os.cpu_count()} cores; load average at the end {load}"
    )
    print(
        f"vote over HTTP, {what}:  {endpoint_rate:8.1f} votes/s  server CPU {per(cpu_seconds)}/vote  "
        f"{queries} queries in the POST"
    )
    print(
        f"baseline authenticated write (session + CSRF + 1 row): {baseline_rate:8.1f} writes/s  "
        f"server CPU {per(baseline_cpu)}/write"
    )
    batches = f"best of {CPU_BATCHES} batches of {CPU_BATCH_SIZE}"
    print(f"in-process vote, {what} (test client, {batches}): {in_process_cpu:.2f} ms CPU/vote")
    print(f"raw INSERT + COMMIT:  {raw_rate:8.1f} rows/s")
    print(
        f"ratio: {100 * endpoint_rate / baseline_rate:.1f}% of the baseline write's rate "
        f"(goal: at least 50% on PostgreSQL); {100 * endpoint_rate / raw_rate:.1f}% of the raw rate"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(server.PROJECT))
    main()
