"""Public pages against Wagtail's own floor: each public page type as % of a bare Wagtail page's requests/s.

    [DATABASE_URL=postgres://...] python -m tests.benchmarks.page_floor [--communities 700] [--seconds 10]
        [--rounds 5] [--workers 2] [--connections 4] [--only NAMES] [--keep FOLDER [--seed-only] | --reuse FOLDER]

The floor is a bare Wagtail page type (tests.benchmarks.bare: a title and a rich-text body, a
four-line template), installed only by the bench-only settings tests.benchmarks.page_settings, never
by production's. It is served by the same gunicorn, through the same middleware and Wagtail routing,
on the same community site, uncached (the per-site page cache and the forum's page cache off). A fresh
database is seeded with `seed_demo --communities N`; the pages measured are the demo community 湖滨's
(hubin): its home, a notice, a news article, an event, a forum thread with 20 posts, a deliberation
topic, a poll, 反光镜 (/mirror/) and an organisation; each logged out and logged in as a verified
resident of hubin (a real session cookie). The bare page and the page alternate in short wrk rounds, so
both see the same machine.
Goal (issue 20): every page at least 50% of the bare page's requests/s in the same run.

Seeding 700 communities takes most of half an hour: `--keep FOLDER` seeds a SQLite database into FOLDER
and keeps it (`--seed-only`: and stops there), `--reuse FOLDER` measures again on it without seeding.
"""

import argparse
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from . import server, wrk
from .report import write_between_markers

GOAL = 0.5
START = "<!-- bench:floor:start (written by `python -m tests.benchmarks.page_floor`; edit outside) -->"
END = "<!-- bench:floor:end -->"
COMMUNITY = "hubin"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.page_floor", description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=700, help="communities to seed (default 700)")
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per page and side (default 10)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds the seconds are split into (default 5)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--only", default="", help="comma-separated page names to measure (default: all)")
    parser.add_argument("--keep", type=Path, help="seed a SQLite database into this folder and keep it")
    parser.add_argument("--seed-only", action="store_true", help="with --keep: seed, then stop without measuring")
    parser.add_argument("--reuse", type=Path, help="measure on the database a --keep run left in this folder")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/performance.md")
    args = parser.parse_args(argv)
    if args.keep and args.reuse:
        parser.error("--keep seeds a new database, --reuse measures an old one: give one of them")
    if args.seed_only and not args.keep:
        parser.error("--seed-only needs --keep FOLDER")
    return args


def twenty_posts(community, resident):
    """A published forum thread of hubin's with 20 posts (the first and 19 replies)."""
    from participation.forums.models import ForumCategory, Post, Thread
    from participation.forums.services import create_thread

    category = ForumCategory.objects.filter(community=community).first() or ForumCategory.objects.create(
        community=community, name="Bench", slug="bench"
    )
    thread = create_thread(
        community=community, category=category, author=resident, title="二十帖", body="首帖", state="published"
    )
    Post.objects.bulk_create(
        Post(
            community=community,
            thread=thread,
            number=n,
            author=resident,
            body=f"回复 {n} " * 20,
            body_html="<p>" + f"回复 {n} " * 20 + "</p>",
        )
        for n in range(2, 21)
    )
    Thread.objects.filter(pk=thread.pk).update(last_number=20, reply_count=19)
    return thread


def prepare() -> tuple[dict, str]:
    """({page name: path on hubin's site}, the resident's Cookie header)."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from communities.events.models import EventPage
    from communities.news.models import NewsArticlePage
    from communities.notices.models import NoticePage
    from communities.organisations.models import OrganisationPage
    from communities.regions.models import Community
    from participation.deliberations.models import Topic
    from participation.forums.models import Thread
    from participation.polls.models import PollPage
    from portal.accounts.models import Membership
    from tests.benchmarks.bare.models import BarePage

    community = Community.objects.select_related("root_page").get(slug=COMMUNITY)
    home = community.root_page.specific
    bare = BarePage.objects.child_of(home).first() or home.add_child(
        instance=BarePage(title="一页纸", slug="bare-floor", body="<p>" + "社区公告正文。" * 40 + "</p>")
    )
    resident = get_user_model().objects.filter(username="bench-resident").first()
    if resident is None:  # a reused database has it, with the thread, poll and topic below
        resident = get_user_model().objects.create_user("bench-resident", password="bench-password-1")
        Membership.objects.create(user=resident, community=community, status=Membership.Status.VERIFIED)
    thread = Thread.objects.filter(community=community, title="二十帖").first() or twenty_posts(community, resident)

    def path(model):
        page = model.objects.live().descendant_of(home).first()
        if page is None:
            print(f"the demo has no {model.__name__} on {COMMUNITY}: not measured", flush=True)
            return None
        return page.get_url_parts()[2]

    # seed_demo gives hubin an open topic, a poll and an organisation (communities.regions.demo).
    topic = Topic.objects.filter(community=community, voting_ends__gt=timezone.now()).order_by("-voting_ends").first()
    paths = {
        "bare Wagtail page": bare.get_url_parts()[2],
        "community home": "/",
        "notice": path(NoticePage),
        "news": path(NewsArticlePage),
        "event": path(EventPage),
        "forum thread (20 posts)": reverse("forums:thread", args=[thread.pk]),
        "deliberation topic": reverse("deliberations:topic", args=[topic.pk]) if topic else None,
        "poll": path(PollPage),
        "反光镜": reverse("complaints:mirror"),
        "organisation": path(OrganisationPage),
    }
    paths = {name: value for name, value in paths.items() if value is not None}
    client = Client()
    client.force_login(resident)
    return paths, f"sessionid={client.cookies['sessionid'].value}"


def check(port: int, host: str, paths: dict, cookie: str) -> None:
    import http.client

    for name, path in paths.items():
        for who in ("", cookie):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", path, headers={"Host": host, **({"Cookie": who} if who else {})})
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status != 200:
                raise SystemExit(f"{name} ({path}) answered {response.status} {'logged in' if who else ''}")


def main(argv=None) -> int:
    args = parse_args(argv)
    args.argv = list(argv if argv is not None else sys.argv[1:])  # for the command written beside the table
    wrk_path = None if args.seed_only else wrk.ensure_installed()
    workdir = args.keep or args.reuse or Path(tempfile.mkdtemp(prefix="page-floor-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        return measure(args, wrk_path, workdir)
    finally:
        if not args.keep and not args.reuse:
            shutil.rmtree(workdir, ignore_errors=True)


def measure(args, wrk_path, workdir: Path) -> int:
    host = server.host(COMMUNITY)
    if args.keep or args.reuse:  # a SQLite file that outlives the run
        database = server.reused_database(workdir) if args.reuse else _kept_database(workdir)
    else:
        database = server.fresh_database(workdir)
    with database as database_url:
        env = server.bench_environment(workdir, database_url)
        # Uncached: the per-site page cache and the forum's own page cache (anonymous readers) both off.
        env.update(
            DJANGO_SETTINGS_MODULE="tests.benchmarks.page_settings",
            PORTAL_PAGE_CACHE_SECONDS="0",
            FORUM_PAGE_CACHE_SECONDS="0",
        )
        print(f"Benchmark folder: {workdir}\nDatabase: {database_url}", flush=True)
        server.manage(env, "collectstatic", "--noinput", "-v", "0")
        if not args.reuse:
            server.manage(env, "migrate", "--noinput", "-v", "0")
            server.manage(env, "compile_translations")
            server.manage(env, "seed_demo", "--allow-production", "--communities", str(args.communities))
        if args.seed_only:
            print(f"Seeded {args.communities} communities into {workdir}; measure with --reuse {workdir}")
            return 0
        os.environ.update(env)
        import django

        django.setup()
        from django.db import connection, connections

        paths, cookie = prepare()
        vendor = connection.vendor
        connections.close_all()
        wanted = [name for name in paths if name != "bare Wagtail page"]
        if args.only:
            wanted = [name for name in wanted if name in args.only.split(",")]
        round_seconds = max(1, args.seconds // args.rounds)
        rows = []
        with server.gunicorn(env, args.workers, workdir / "gunicorn.log") as running:
            check(running.port, host, paths, cookie)
            url = f"http://127.0.0.1:{running.port}"
            bare_path = paths["bare Wagtail page"]
            for who, who_cookie in (("logged out", ""), ("resident", cookie)):
                for name in wanted:
                    bare_rounds, page_rounds = [], []
                    for _ in range(args.rounds):
                        bare_rounds.append(
                            wrk.run(wrk_path, "bare", url + bare_path, host, round_seconds, args.connections,
                                    cookie=who_cookie)
                        )  # fmt: skip
                        page_rounds.append(
                            wrk.run(wrk_path, name, url + paths[name], host, round_seconds, args.connections,
                                    cookie=who_cookie)
                        )  # fmt: skip
                    bare = wrk.combine("bare", who, bare_rounds)
                    page = wrk.combine(name, who, page_rounds)
                    for result in (bare, page):
                        if result.failure:
                            raise SystemExit(f"{result.target} ({who}): {result.failure}")
                    ratio = page.requests_per_second / bare.requests_per_second
                    rows.append((name, who, page.requests_per_second, bare.requests_per_second, ratio, page.p99_ms))
                    print(
                        f"{name:<26} {who:<10} {page.requests_per_second:8.1f} req/s  "
                        f"bare {bare.requests_per_second:8.1f}  {ratio:6.1%}  p99 {page.p99_ms:.0f} ms",
                        flush=True,
                    )
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. database: {vendor}; {args.communities} communities; "
        f"gunicorn {args.workers} sync workers; wrk {args.connections} connections; {args.rounds} rounds of "
        f"{round_seconds} s per side; page cache off; {os.cpu_count()} cores; load average at the end {load}",
        "",
        "| page | visitor | req/s | bare page req/s | % of bare | p99 | goal (≥50%) |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for name, who, rate, bare_rate, ratio, p99 in rows:
        met = "met" if ratio >= GOAL else "missed"
        lines.append(f"| {name} | {who} | {rate:.1f} | {bare_rate:.1f} | {ratio:.0%} | {p99:.0f} ms | {met} |")
    command = " ".join(["python -m tests.benchmarks.page_floor", *args.argv])
    lines += ["", f"Command: `{command}`"]
    text = "\n".join(lines)
    print("\n" + text)
    if not args.only and not args.no_write:  # a partial run does not replace the whole table
        write_between_markers(START, END, "Public pages against Wagtail's own floor", text)
    return 0


@contextmanager
def _kept_database(workdir: Path):
    yield f"sqlite:///{workdir / 'bench.sqlite3'}"


if __name__ == "__main__":
    sys.path.insert(0, str(server.PROJECT))
    sys.exit(main())
