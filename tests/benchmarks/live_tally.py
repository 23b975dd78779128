"""Benchmark: live-tally fan-out to 1,000 WebSocket watchers of one topic while votes arrive.

    REDIS_URL=redis://127.0.0.1:6379/0 [DATABASE_URL=postgres://...] python -m tests.benchmarks.live_tally
        [--watchers 1000] [--votes 200] [--rate 20] [--processes 1] [--client-processes 1] [--port 0]
        [--settle 15]

Needs Redis (the channel layer between the processes); without REDIS_URL it says so and exits 2.
Processes: `--processes` daphnes (portal.asgi, production settings via portal.settings.bench) on
loopback ports from `--port` (or free ones) over a fresh database (SQLite in a temporary folder, or
a new PostgreSQL database beside DATABASE_URL's); `--client-processes` processes holding the
WebSocket watchers (one asyncio loop each, watcher i on daphne i mod --processes); a separate
sender process produces the load. After the sender ends, watchers have `--settle` seconds to get
the final tally.

Two phases, each with every client connected to the topic's /ws/ URL first:

1. baseline: the sender pushes a tally payload of the same size straight into the topic's group
   (`portal.live.push.send_now`) at the same rate: the channel layer, daphne, the consumers'
   coalescing and the clients, without a vote.
2. votes: the sender casts the votes with `ballots.cast_vote` (the function the HTTP view and the
   paper ballot call), one voter after another at `--rate` votes/s. Each committed vote pushes the
   tally computed after the commit; its `committed_at` is the time just after the commit.

For every message a client receives, delay = receive time - committed_at of the state it carries
(all processes on one machine, one clock). p50/p99 over all delivered messages, and the check that
every client's last message is the final tally (same counts as the database), and counts the
connections the server closed with 1011. Goal: p99 < 250 ms. Exits non-zero when a run failed (a
client missing the final tally or closed, a process error), not when the goal is missed.
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
        self.close_code = None  # when the server closed the connection during the phase
        self.cpu = 0.0  # (the first watcher of a client process) that process's CPU seconds in the phase

    def received(self, message: dict) -> None:
        now = time.time()
        self.messages += 1
        if "committed_at" in message:
            self.delays.append(now - message["committed_at"])
        self.last = message


async def watch(port: int, topic_id: int, watcher: Watcher, connected: asyncio.Event):
    """Runs until cancelled at the end of the phase."""
    from websockets.exceptions import ConnectionClosed

    try:
        await _watch(port, topic_id, watcher, connected)
    except ConnectionClosed as closed:
        watcher.close_code = closed.rcvd.code if closed.rcvd else None
        watcher.error = repr(closed)
    except Exception as error:
        watcher.error = repr(error)
    connected.set()


async def _watch(port: int, topic_id: int, watcher: Watcher, connected: asyncio.Event):
    import websockets

    url = f"ws://{HOST}:{port}/ws/deliberations/topic/{topic_id}/"
    async with websockets.connect(
        url, host="127.0.0.1", origin=f"http://{HOST}:{port}", open_timeout=120, max_size=2**20
    ) as socket_:
        connected.set()
        async for raw in socket_:
            watcher.received(json.loads(raw))
    watcher.close_code = socket_.close_code


async def watch_until_told(ports: list[int], topic_id: int, count: int, first: int) -> list[Watcher]:
    """A client process: `count` watchers spread over the server ports (watcher i on port i mod n,
    counting from `first`); prints "ready" once all are connected, then waits for a line on stdin
    ("<final votes> <settle seconds>") and until every watcher has that final tally (bounded)."""
    watchers = [Watcher() for _ in range(count)]
    events = [asyncio.Event() for _ in range(count)]
    tasks = []
    for i in range(0, count, 100):  # connect in batches: a handshake storm is not what is measured
        for j in range(i, min(i + 100, count)):
            port = ports[(first + j) % len(ports)]
            tasks.append(asyncio.create_task(watch(port, topic_id, watchers[j], events[j])))
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events[i : i + 100])), 300)
    print("ready", flush=True)
    watchers[0].cpu_at_ready = cpu_seconds()
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    expected_votes, settle_seconds = int(line.split()[0]), float(line.split()[1])
    deadline = time.monotonic() + settle_seconds
    while time.monotonic() < deadline and not all(w.last and w.last.get("votes") == expected_votes for w in watchers):
        await asyncio.sleep(0.05)  # bounded wait for the last coalesced message
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return watchers


def client_main(argv) -> int:
    parser = argparse.ArgumentParser(prog="live_tally watch")
    parser.add_argument("--ports", required=True)
    parser.add_argument("--topic", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--first", type=int, default=0)
    args = parser.parse_args(argv)
    raise_fd_limit(args.count + 256)
    ports = [int(p) for p in args.ports.split(",")]
    watchers = asyncio.run(watch_until_told(ports, args.topic, args.count, args.first))
    cpu = cpu_seconds() - watchers[0].cpu_at_ready
    result = [
        {
            "delays": [round(d, 5) for d in w.delays],
            "messages": w.messages,
            "last": w.last,
            "error": w.error,
            "close_code": w.close_code,
            "cpu": cpu if i == 0 else 0.0,
        }
        for i, w in enumerate(watchers)
    ]
    print(json.dumps(result), flush=True)
    return 0


def as_watcher(row: dict) -> Watcher:
    watcher = Watcher()
    watcher.delays, watcher.messages, watcher.last = row["delays"], row["messages"], row["last"]
    watcher.error, watcher.close_code = row["error"], row["close_code"]
    watcher.cpu = row["cpu"]
    return watcher


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) of this process, or of process `pid` (Linux /proc)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_phase(ports, server_pids, topic_id, args, sender_args, env, expected_votes):
    """Connect every watcher (in --client-processes processes), run the sender, then let each client
    process wait (at most --settle seconds) until all its watchers have the final state."""
    shares = [
        args.watchers // args.client_processes + (i < args.watchers % args.client_processes)
        for i in range(args.client_processes)
    ]
    clients, first = [], 0
    for share in shares:
        clients.append(
            await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.benchmarks.live_tally", "watch", "--ports", ",".join(map(str, ports)),
                "--topic", str(topic_id), "--count", str(share), "--first", str(first),
                env=env, cwd=server.PROJECT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                limit=2**30,
            )
        )  # fmt: skip
        first += share
    for client in clients:
        line = await asyncio.wait_for(client.stdout.readline(), 600)
        if line.strip() != b"ready":
            raise RuntimeError(f"a client process did not connect its watchers: {line[:200]!r}")
    server_cpu = sum(cpu_seconds(pid) for pid in server_pids)
    sender = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.benchmarks.live_tally", *sender_args,
        env=env, cwd=server.PROJECT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await sender.communicate()
    if sender.returncode != 0:
        for client in clients:
            client.kill()
        raise RuntimeError(f"the sender failed ({' '.join(sender_args)})")
    result = json.loads(out.decode().strip().splitlines()[-1])
    watchers = []
    for client in clients:
        client.stdin.write(f"{expected_votes} {args.settle}\n".encode())
        await client.stdin.drain()
    for client in clients:
        out, _ = await client.communicate()
        watchers.extend(as_watcher(row) for row in json.loads(out.decode().strip().splitlines()[-1]))
    result["server_cpu"] = sum(cpu_seconds(pid) for pid in server_pids) - server_cpu
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
        "closed_1011": sum(1 for w in watchers if w.close_code == 1011),
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
    parser.add_argument(
        "--watchers", "--clients", type=int, default=1000, help="WebSocket watchers of the topic (default 1000)"
    )
    parser.add_argument("--votes", type=int, default=200, help="votes cast while they watch (default 200)")
    parser.add_argument("--rate", type=float, default=20, help="votes per second (default 20)")
    parser.add_argument("--processes", type=int, default=1, help="ASGI (daphne) processes; watchers spread evenly")
    parser.add_argument("--client-processes", type=int, default=1, help="processes holding the watchers (default 1)")
    parser.add_argument("--port", type=int, default=0, help="first port of the ASGI processes (default: free ports)")
    parser.add_argument(
        "--settle", type=float, default=15, help="seconds the watchers may take to get the final tally (default 15)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, logs)")
    args = parser.parse_args(argv)
    if not os.environ.get("REDIS_URL"):
        print(
            "The live-tally benchmark needs Redis as the channel layer between daphne and the sender: "
            "set REDIS_URL (e.g. REDIS_URL=redis://127.0.0.1:6379/0).",
            file=sys.stderr,
        )
        return 2
    raise_fd_limit(args.watchers * 2 + 256)
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


def start_daphnes(args, env: dict, workdir: Path) -> list[tuple[int, subprocess.Popen, Path]]:
    started = []
    for i in range(args.processes):
        port, log = (args.port + i if args.port else free_port()), workdir / f"daphne-{i}.log"
        with open(log, "ab") as out:
            command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "-v", "0"]
            process = subprocess.Popen(
                [*command, "portal.asgi:application"], cwd=server.PROJECT, env=env, stdout=out, stderr=out
            )
        started.append((port, process, log))
    return started


def measure(args, env: dict, topics: dict, workdir: Path) -> int:
    daphnes = start_daphnes(args, env, workdir)
    try:
        for port, process, log in daphnes:
            wait_for_port(port, process, log)
        ports, pids = [port for port, _, _ in daphnes], [process.pid for _, process, _ in daphnes]
        paced = ["--votes", str(args.votes), "--rate", str(args.rate)]
        baseline_sender = ["baseline", "--topic", str(topics["baseline"]), *paced]
        baseline, base_result = asyncio.run(
            run_phase(ports, pids, topics["baseline"], args, baseline_sender, env, args.votes)
        )
        votes_sender = ["cast", "--topic", str(topics["votes"]), *paced]
        voting, result = asyncio.run(run_phase(ports, pids, topics["votes"], args, votes_sender, env, args.votes))
    finally:
        for _, process, _ in daphnes:
            process.terminate()
        for _, process, _ in daphnes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    final = result["counts"]
    stale = sum(1 for w in voting if not w.last or w.last.get("counts") != final or w.last.get("votes") != args.votes)
    errors = sorted({w.error for w in baseline + voting if w.error})
    rows = [summarise("baseline (group_send of a same-size payload)", baseline), summarise("votes (cast_vote)", voting)]
    for row, phase, phase_result in ((rows[0], baseline, base_result), (rows[1], voting, result)):
        messages = max(1, row["messages"])
        row["server_us"] = phase_result["server_cpu"] / messages * 1e6
        row["client_us"] = sum(w.cpu for w in phase) / messages * 1e6
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n{args.watchers} watchers of one topic ({args.client_processes} client processes), {args.votes} votes at "
        f"{args.rate:g}/s, {args.processes} daphne processes, Redis channel layer, "
        f"{env['DATABASE_URL'].split(':', 1)[0]}; load average {load}\n"
        f"sender: cast_vote p50 {result['cast_ms_p50']:.1f} ms; commit to tally handed to Redis (computing it "
        f"included) p50 {result['push_ms_p50']:.1f} ms, p99 {result['push_ms_p99']:.1f} ms; payload "
        f"{len(json.dumps(voting[0].last or {}))} bytes"
    )
    print(
        "| phase | messages delivered | p50 delay | p99 delay | max delay | closed with 1011 "
        "| daphne CPU / message | client CPU / message |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['phase']} | {row['delivered']:,} | {row['p50_ms']:.1f} ms | {row['p99_ms']:.1f} ms "
            f"| {row['max_ms']:.1f} ms | {row['closed_1011']} | {row['server_us']:.0f} µs | {row['client_us']:.0f} µs |"
        )
    print(f"\np99 votes / baseline: {rows[1]['p99_ms'] / rows[0]['p99_ms']:.2f}")
    verdict = "met" if rows[1]["p99_ms"] < GOAL_P99_MS else "MISSED"
    print(f"goal p99 < {GOAL_P99_MS} ms: {verdict}")
    print(f"final tally {final}: {args.watchers - stale}/{args.watchers} watchers ended on it")
    for error in errors[:20]:
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
    if len(sys.argv) > 1 and sys.argv[1] == "watch":
        sys.exit(client_main(sys.argv[2:]))
    sys.exit(main())
