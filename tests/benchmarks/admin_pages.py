"""The admin at city scale (issue 20): every admin page the project has, on a city of 700 communities
against the same page on a 6-community city, in the same run.

    python -m tests.benchmarks.admin_pages [--large 700] [--small 6] [--rounds 3] [--requests 5]
        [--keep] [--reuse FOLDER] [--code DIR] [--no-write]

Builds two fresh SQLite databases (migrate + `seed_demo`) unless `--reuse` names a folder a `--keep`
run left (large.sqlite3, small.sqlite3); then, round after round and alternating the two cities, runs
`admin_probe.py` in a `manage.py shell` of the checkout `--code` (default: this one; another checkout
measures the code before a change on the same data). Each probe logs in a superuser, the editor of the
first community's street and a worker of that community, and reports per page the median in-process
CPU time of a request, its queries and its size. Goals: the same queries in both cities, and a 700-city
time within 1.5x of the 6-city one. Writes the table into docs/performance.md (between markers).
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from . import server

GOAL_RATIO = 1.5
PROBE = Path(__file__).with_name("admin_probe.py")
DOC = server.PROJECT / "docs" / "performance.md"
BEGIN, END = "<!-- admin-pages:begin -->", "<!-- admin-pages:end -->"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.admin_pages", description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=700, help="communities of the large city (default 700)")
    parser.add_argument("--small", type=int, default=6, help="communities of the small city (default 6)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--requests", type=int, default=5, help="timed requests per page and round (default 5)")
    parser.add_argument("--code", type=Path, default=server.PROJECT, help="checkout whose code is measured")
    parser.add_argument("--reuse", type=Path, help="folder with large.sqlite3 and small.sqlite3 (no seed)")
    parser.add_argument("--keep", action="store_true", help="keep the databases for --reuse")
    parser.add_argument("--only-named", action="store_true", help="only the pages issue 20 names")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/performance.md")
    return parser.parse_args(argv)


def environment(folder: Path, name: str) -> dict:
    """Production settings (DEBUG off), with throwaway secrets that pass its checks."""
    from cryptography.fernet import Fernet

    env = server.bench_environment(folder, f"sqlite:///{folder / (name + '.sqlite3')}")
    env.update(
        PORTAL_BASE_DOMAIN="bench.test",
        ID_HASH_SECRET=secrets.token_urlsafe(40),
        PORTAL_SMS_BACKEND="portal.accounts.sms.HttpGatewaySMSBackend",
        SMS_GATEWAY_URL="http://127.0.0.1:9/",
        SMS_GATEWAY_TOKEN="unused",
        WECHAT_SECRET_KEYS=Fernet.generate_key().decode(),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    )
    return env


def seed(env: dict, communities: int, code: Path) -> None:
    for args in (
        ("migrate", "--noinput", "-v", "0"),
        ("collectstatic", "--noinput", "-v", "0"),
        ("compile_translations",),
        ("seed_demo", "--allow-production", "--communities", str(communities)),
    ):
        subprocess.run([sys.executable, "manage.py", *args], cwd=code, env=env, check=True)


def probe(env: dict, code: Path, requests: int, only_named: bool) -> dict:
    env = dict(env, PROBE_REQUESTS=str(requests), PROBE_ONLY_NAMED="1" if only_named else "0")
    script = f"exec(open({str(PROBE)!r}).read())"
    command = [sys.executable, "manage.py", "shell", "-c", script]
    out = subprocess.run(command, cwd=code, env=env, check=True, capture_output=True, text=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("PROBE "))
    return json.loads(line[len("PROBE ") :])


def table(small: list[dict], large: list[dict]) -> tuple[str, list[str]]:
    rows, misses = [], []
    header = (
        f"| page | {small[0]['communities']} communities: CPU ms | queries "
        f"| {large[0]['communities']} communities: CPU ms | queries | KB | ratio |"
    )
    rows += [header, "|---|---:|---:|---:|---:|---:|---:|"]
    for page in small[0]["pages"]:
        s = statistics.median(run["pages"][page]["cpu_ms"] for run in small)
        large_pages = [run["pages"].get(page) for run in large]
        if None in large_pages:
            continue
        g = statistics.median(p["cpu_ms"] for p in large_pages)
        sq, gq = small[0]["pages"][page]["queries"], large_pages[0]["queries"]
        status = large_pages[0]["status"]
        ratio = g / s if s else float("nan")
        note = "" if status == 200 else f" ({status})"
        rows.append(
            f"| {page}{note} | {s:.1f} | {sq} | {g:.1f} | {gq} | {large_pages[0]['bytes'] / 1024:.0f} | {ratio:.2f}x |"
        )
        if status == 200 and (ratio > GOAL_RATIO or gq != sq):
            misses.append(f"{page}: {ratio:.2f}x, queries {sq} -> {gq}")
    return "\n".join(rows), misses


def write(text: str) -> None:
    doc = DOC.read_text()
    if BEGIN in doc:
        before, rest = doc.split(BEGIN, 1)
        doc = before + BEGIN + "\n" + text + "\n" + END + rest.split(END, 1)[1]
    else:
        doc += f"\n{BEGIN}\n{text}\n{END}\n"
    DOC.write_text(doc)


def main(argv=None) -> int:
    args = parse_args(argv)
    folder = args.reuse or Path(tempfile.mkdtemp(prefix="portal-admin-bench-"))
    envs = {name: environment(folder, name) for name in ("small", "large")}
    if not args.reuse:
        for name, communities in (("small", args.small), ("large", args.large)):
            print(f"Seeding {communities} communities into {folder / name}.sqlite3", flush=True)
            seed(envs[name], communities, args.code)
    runs = {"small": [], "large": []}
    for round_number in range(args.rounds):
        for name in ("small", "large") if round_number % 2 == 0 else ("large", "small"):
            runs[name].append(probe(envs[name], args.code, args.requests, args.only_named))
            print(f"round {round_number + 1}: {name} measured", flush=True)
    text, misses = table(runs["small"], runs["large"])
    command = " ".join(["python -m tests.benchmarks.admin_pages", *(argv if argv is not None else sys.argv[1:])])
    report = f"`{command}` (code: {args.code.name}):\n\n{text}\n"
    print(report)
    print("Goals missed:\n" + "\n".join(misses) if misses else "Every page within the goals.")
    if not args.no_write:
        write(report)
    if not args.keep and not args.reuse:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
