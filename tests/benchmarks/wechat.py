"""Benchmark: safe-mode WeChat text messages answered with a keyword reply, against /healthz, through gunicorn.

Runs gunicorn on a free loopback port over a fresh database (a temporary SQLite file, or DATABASE_URL
when set) with one community's account in safe mode and a keyword reply, then drives it with
keep-alive HTTP clients: first /healthz, then POSTs of messages encrypted with wechatpy's own crypto
(each with its own MsgId, so none is a duplicate), and prints requests/s and p99 latency. Every answer
is checked to be an encrypted reply (a "success" or an error counts as an error).
Goal (issue 14): at least 40% of /healthz's requests/s, p99 under 100 ms.

    python -m tests.benchmarks.wechat [--seconds 5] [--clients 4] [--workers 2]
"""

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from tests.benchmarks.forum_thread import free_port, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "benchtoken123"
APP_ID = "wx0123456789abcdef"
AES_KEY = "YmVuY2gtYmVuY2gtYmVuY2gtYmVuY2gtYmVuY2gtMTI"


def prepare_database() -> str:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from portal.wechat.models import Account, KeywordReply
    from tests.conftest import build_city

    city = build_city()
    account = Account(community=city["a1"], name="bench", app_id=APP_ID, mode=Account.Mode.SAFE)
    account.app_secret, account.token, account.aes_key = "bench-secret", TOKEN, AES_KEY
    account.save()
    KeywordReply.objects.create(community=city["a1"], keyword="停车", reply_text="访客车辆请从东门进入。")
    return "/wechat/a1/"


def messages(count: int) -> list[tuple[str, bytes]]:
    """(query string, body) of `count` encrypted text messages, each with its own MsgId."""
    from portal.wechat.simulator import WeChatServer, text_xml

    server = WeChatServer("", TOKEN, AES_KEY, APP_ID)
    made = []
    for n in range(count):
        params, body = server.encrypt(text_xml("停车", openid=f"oBench{n % 50}", msg_id=str(10**12 + n)))
        made.append((urlencode(params), body.encode()))
    return made


def load(port, host, method, path, seconds, clients, bodies=None, check=None):
    latencies, errors = [], []
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    queue = iter(bodies or [])

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop:
            if bodies is not None:
                with lock:
                    item = next(queue, None)
                if item is None:
                    break
                query, body = item
                target = f"{path}?{query}"
            else:
                target, body = path, None
            started = time.perf_counter()
            conn.request(method, target, body=body, headers={"Host": host, "Content-Type": "text/xml"})
            response = conn.getresponse()
            content = response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200 or (check and not check(content)):
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
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)] if latencies else float("nan")
    return len(latencies) / elapsed, p99 * 1000, len(errors)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    tmp = tempfile.mkdtemp(prefix="wechat-bench-")
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.test", MEDIA_ROOT=tmp, PORTAL_PAGE_CACHE_SECONDS="0")
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    path = prepare_database()
    pool = messages(int(3000 * (args.seconds + 1)))

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", str(args.workers), "--access-logfile", "/dev/null", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        wait_until_up(port)
        print(f"{args.clients} clients, {args.workers} gunicorn workers, {args.seconds}s each")
        load(port, "localhost", "GET", "/healthz", 1, args.clients)  # warm up
        base_rps, base_p99, base_errors = load(port, "localhost", "GET", "/healthz", args.seconds, args.clients)
        print(f"{'/healthz':24} {base_rps:8.1f} req/s  p99 {base_p99:7.1f} ms  errors {base_errors}")
        warm, pool = pool[:200], pool[200:]
        load(port, "a1.localhost", "POST", path, 1, args.clients, warm)  # warm up
        rps, p99, errors = load(
            port, "a1.localhost", "POST", path, args.seconds, args.clients, pool, check=lambda c: b"<Encrypt>" in c
        )
        print(
            f"{'safe-mode keyword reply':24} {rps:8.1f} req/s  p99 {p99:7.1f} ms  {rps / base_rps:6.1%} of /healthz"
            f"  errors {errors}"
        )
        ok = rps / base_rps >= 0.40 and p99 < 100 and errors == 0
        print("goal (>= 40% of /healthz, p99 < 100 ms):", "met" if ok else "NOT met")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
