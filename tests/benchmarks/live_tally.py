"""Benchmark: live-tally fan-out to 1,000 WebSocket watchers of one topic while votes arrive.

    REDIS_URL=redis://127.0.0.1:6379/0 [DATABASE_URL=postgres://...] python -m tests.benchmarks.live_tally
        [--clients 1000] [--votes 200] [--rate 20]

Needs Redis (the channel layer between the processes); without REDIS_URL it says so and exits 2.
Processes: one daphne (portal.asgi, production settings via portal.settings.bench) on a free
loopback port over a fresh database (SQLite in a temporary folder, or a new PostgreSQL database
beside DATABASE_URL's); this process holds every WebSocket client (one asyncio loop); a separate
sender process produces the load.

Two phases, each with every client connected to the topic's /ws/ URL first:

1. baseline: the sender pushes a tally payload of the same size straight into the topic's group
   (`portal.live.push.send_now`) at the same rate: the channel layer, daphne, the consumers'
   coalescing and the clients, without a vote.
2. votes: the sender casts the votes with `ballots.cast_vote` (the function the HTTP view and the
   paper ballot call), one voter after another at `--rate` votes/s. Each committed vote pushes the
   tally computed after the commit; its `committed_at` is the time just after the commit.

For every message a client receives, delay = receive time - committed_at of the state it carries
(all processes on one machine, one clock). p50/p99 over all delivered messages, and the check that
every client's last message is the final tally (same counts as the database). Goal: p99 < 250 ms.
Exits non-zero when a run failed (a client missing the final tally, a process error), not when
the goal is missed.
"""

import argparse
import asyncio
import json
import os
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import server

GOAL_P99_MS = 250
HOST = server.host("a1")


# ---- the sender process (Django) -------------------------------------------------------------


def _django():
    import django

    django.setup()


def prepare(votes: int) -> dict:
    """Two open topics (baseline, votes), `votes` voters; prints their ids as JSON."""
    _django()
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from participation.deliberations.models import Option, Topic
    from portal.accounts.models import Membership
    from tests.conftest import build_city

    community = build_city()["a1"]
    now = timezone.now()
    topics = []
    for title in ("baseline", "votes"):
        topic = Topic.objects.create(
            community=community,
            title=f"加装电梯 ({title})",
            description="bench",
            discussion_starts=now - timedelta(days=2),
            voting_starts=now - timedelta(days=1),
            voting_ends=now + timedelta(days=1),
            secret=False,
        )
        for i, label in enumerate(("同意", "反对", "弃权")):
            Option.objects.create(topic=topic, label=label, sort_order=i, is_abstention=i == 2)
        topics.append(topic.pk)
    User = get_user_model()
    users = User.objects.bulk_create([User(username=f"voter{i}", password="!") for i in range(votes)], batch_size=1000)
    Membership.objects.bulk_create(  # only verified residents of the community may vote
        [Membership(user=user, community=community, status=Membership.Status.VERIFIED) for user in users]
    )
    return {"baseline": topics[0], "votes": topics[1]}


def _paced(count: int, rate: float):
    """Yield 0..count-1 at `rate` per second (the load generator's schedule)."""
    started = time.monotonic()
    for i in range(count):
        delay = started + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        yield i


def send_baseline(topic_id: int, count: int, rate: float) -> dict:
    _django()
    from participation.deliberations import live
    from participation.deliberations.models import Topic
    from portal.live.push import send_now

    topic = Topic.objects.get(pk=topic_id)
    template = live.tally_payload(topic)  # the same size as a real push
    for i in _paced(count, rate):
        send_now(live.topic_group(topic_id), {**template, "votes": i + 1, "committed_at": time.time()})
    return {"votes": count}


def cast_votes(topic_id: int, count: int, rate: float) -> dict:
    _django()
    from django.contrib.auth import get_user_model

    from participation.deliberations import ballots
    from participation.deliberations.models import Topic
    from portal.live import push

    pushed = []  # seconds from a commit until its tally was handed to Redis (computing it included)
    send_now = push.send_now

    def timed_send_now(group, payload):
        payload = payload()
        send_now(group, payload)
        pushed.append(time.time() - payload["committed_at"])

    push.send_now = timed_send_now
    topic = Topic.objects.get(pk=topic_id)
    options = [o.pk for o in topic.options.all()]
    voters = list(get_user_model().objects.filter(username__startswith="voter").order_by("pk")[:count])
    seconds = []
    for i in _paced(count, rate):
        started = time.perf_counter()
        ballots.cast_vote(topic, voters[i], options[(i * 7) % 5 % 3])
        seconds.append(time.perf_counter() - started)
    final = live_counts(topic)
    return {
        "votes": count,
        "counts": final,
        "cast_ms_p50": statistics.median(seconds) * 1000,
        "push_ms_p50": percentile(pushed, 0.5),
        "push_ms_p99": percentile(pushed, 0.99),
    }


def live_counts(topic) -> dict:
    from participation.deliberations import ballots

    return {key: int(c["votes"]) for key, c in ballots.live_result(topic)["counts"].items()}


# ---- the watchers (this process) --------------------------------------------------------------


class Watcher:
    def __init__(self):
        self.delays: list[float] = []
        self.last: dict | None = None
        self.messages = 0
        self.error = None

    def received(self, message: dict) -> None:
        now = time.time()
        self.messages += 1
        if "committed_at" in message:
            self.delays.append(now - message["committed_at"])
        self.last = message


async def watch(port: int, topic_id: int, watcher: Watcher, connected: asyncio.Event):
    """Runs until cancelled at the end of the phase."""
    try:
        await _watch(port, topic_id, watcher, connected)
    except Exception as error:
        watcher.error = repr(error)
        connected.set()


async def _watch(port: int, topic_id: int, watcher: Watcher, connected: asyncio.Event):
    import websockets

    url = f"ws://{HOST}:{port}/ws/deliberations/topic/{topic_id}/"
    async with websockets.connect(
        url, host="127.0.0.1", origin=f"http://{HOST}:{port}", open_timeout=60, max_size=2**20
    ) as socket_:
        connected.set()
        async for raw in socket_:
            watcher.received(json.loads(raw))


async def run_phase(port, topic_id, clients, sender_args, env, expected_votes, settle_seconds=15):
    """Connect every client, run the sender, wait (bounded) until every client has the final state."""
    watchers = [Watcher() for _ in range(clients)]
    events = [asyncio.Event() for _ in range(clients)]
    tasks = []
    for i in range(0, clients, 100):  # connect in batches: a handshake storm is not what is measured
        for j in range(i, min(i + 100, clients)):
            tasks.append(asyncio.create_task(watch(port, topic_id, watchers[j], events[j])))
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events[i : i + 100])), 120)
    sender = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.benchmarks.live_tally", *sender_args,
        env=env, cwd=server.PROJECT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await sender.communicate()
    if sender.returncode != 0:
        for task in tasks:
            task.cancel()
        raise RuntimeError(f"the sender failed ({' '.join(sender_args)})")
    result = json.loads(out.decode().strip().splitlines()[-1])
    deadline = time.monotonic() + settle_seconds
    while time.monotonic() < deadline and not all(w.last and w.last.get("votes") == expected_votes for w in watchers):
        await asyncio.sleep(0.05)  # bounded wait for the last coalesced message
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return watchers, result


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000 if ordered else float("nan")


def summarise(name: str, watchers: list[Watcher]) -> dict:
    delays = [d for w in watchers for d in w.delays]
    messages = sum(w.messages for w in watchers)
    return {
        "phase": name,
        "delivered": len(delays),
        "messages": messages,
        "p50_ms": percentile(delays, 0.50),
        "p99_ms": percentile(delays, 0.99),
        "max_ms": max(delays) * 1000 if delays else float("nan"),
    }


# ---- orchestration -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raise_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise SystemExit(f"{needed} file descriptors are needed; the hard limit is {hard} (ulimit -Hn).")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}; see {log}")
        try:
            if server.get(port, "/healthz", server.host())[0] == 200:
                return
        except OSError:
            time.sleep(0.2)  # polling a port that is not open yet
    raise RuntimeError(f"daphne did not answer within {timeout:.0f} s; see {log}")


def django_step(env: dict, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.live_tally", *args],
        cwd=server.PROJECT, env=env, check=True, stdout=subprocess.PIPE,
    ).stdout  # fmt: skip
    return json.loads(out.decode().strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.live_tally", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000, help="WebSocket watchers of the topic (default 1000)")
    parser.add_argument("--votes", type=int, default=200, help="votes cast while they watch (default 200)")
    parser.add_argument("--rate", type=float, default=20, help="votes per second (default 20)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, logs)")
    args = parser.parse_args(argv)
    if not os.environ.get("REDIS_URL"):
        print(
            "The live-tally benchmark needs Redis as the channel layer between daphne and the sender: "
            "set REDIS_URL (e.g. REDIS_URL=redis://127.0.0.1:6379/0).",
            file=sys.stderr,
        )
        return 2
    raise_fd_limit(args.clients * 2 + 256)
    workdir = Path(tempfile.mkdtemp(prefix="portal-live-bench-"))
    try:
        with server.fresh_database(workdir) as database_url:
            env = server.bench_environment(workdir, database_url)
            env["CHANNEL_PREFIX"] = f"bench-{secrets.token_hex(4)}"
            print(f"Benchmark folder: {workdir}\nDatabase: {database_url.split(':', 1)[0]}", flush=True)
            server.manage(env, "migrate", "--noinput", "-v", "0")
            server.manage(env, "compile_translations")
            topics = django_step(env, "prepare", "--votes", str(args.votes))
            return measure(args, env, topics, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def measure(args, env: dict, topics: dict, workdir: Path) -> int:
    port, log = free_port(), workdir / "daphne.log"
    with open(log, "ab") as out:
        daphne = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "-v", "0", "portal.asgi:application"],
            cwd=server.PROJECT, env=env, stdout=out, stderr=out,
        )  # fmt: skip
    try:
        wait_for_port(port, daphne, log)
        paced = ["--votes", str(args.votes), "--rate", str(args.rate)]
        baseline_sender = ["baseline", "--topic", str(topics["baseline"]), *paced]
        baseline, _ = asyncio.run(run_phase(port, topics["baseline"], args.clients, baseline_sender, env, args.votes))
        votes_sender = ["cast", "--topic", str(topics["votes"]), *paced]
        voting, result = asyncio.run(run_phase(port, topics["votes"], args.clients, votes_sender, env, args.votes))
    finally:
        daphne.terminate()
        try:
            daphne.wait(timeout=20)
        except subprocess.TimeoutExpired:
            daphne.kill()
    final = result["counts"]
    stale = sum(1 for w in voting if not w.last or w.last.get("counts") != final or w.last.get("votes") != args.votes)
    errors = sorted({w.error for w in baseline + voting if w.error})
    rows = [summarise("baseline (group_send of a same-size payload)", baseline), summarise("votes (cast_vote)", voting)]
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n{args.clients} watchers of one topic, {args.votes} votes at {args.rate:g}/s, one daphne, Redis channel "
        f"layer, {env['DATABASE_URL'].split(':', 1)[0]}; load average {load}\n"
        f"sender: cast_vote p50 {result['cast_ms_p50']:.1f} ms; commit to tally handed to Redis (computing it "
        f"included) p50 {result['push_ms_p50']:.1f} ms, p99 {result['push_ms_p99']:.1f} ms"
    )
    print("| phase | messages delivered | p50 delay | p99 delay | max delay |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['phase']} | {row['delivered']:,} | {row['p50_ms']:.1f} ms | {row['p99_ms']:.1f} ms "
            f"| {row['max_ms']:.1f} ms |"
        )
    print(f"\np99 votes / baseline: {rows[1]['p99_ms'] / rows[0]['p99_ms']:.2f}")
    verdict = "met" if rows[1]["p99_ms"] < GOAL_P99_MS else "MISSED"
    print(f"goal p99 < {GOAL_P99_MS} ms: {verdict}")
    print(f"final tally {final}: {args.clients - stale}/{args.clients} watchers ended on it")
    for error in errors:
        print(f"client error: {error}", file=sys.stderr)
    if stale or errors:
        print(f"FAILED RUN: {stale} watchers did not end on the final tally; {len(errors)} errors", file=sys.stderr)
        return 1
    return 0


def sender_main(argv) -> int:
    parser = argparse.ArgumentParser(prog="live_tally sender")
    parser.add_argument("step", choices=["prepare", "baseline", "cast"])
    parser.add_argument("--topic", type=int)
    parser.add_argument("--votes", type=int, required=True)
    parser.add_argument("--rate", type=float, default=20)
    args = parser.parse_args(argv)
    if args.step == "prepare":
        result = prepare(args.votes)
    elif args.step == "baseline":
        result = send_baseline(args.topic, args.votes, args.rate)
    else:
        result = cast_votes(args.topic, args.votes, args.rate)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("prepare", "baseline", "cast"):
        sys.exit(sender_main(sys.argv[1:]))
    sys.exit(main())
