"""Public pages against Wagtail's own floor: each public page type as % of a bare Wagtail page's requests/s.

    [DATABASE_URL=postgres://...] python -m tests.benchmarks.page_floor [--communities 700] [--seconds 10]
        [--rounds 5] [--workers 2] [--connections 4]

The floor is a bare Wagtail page type (tests.benchmarks.bare: a title and a rich-text body, a
four-line template), installed only by the bench-only settings tests.benchmarks.page_settings, never
by production's. It is served by the same gunicorn, through the same middleware and Wagtail routing,
on the same community site, uncached (the per-site page cache off). A fresh database is seeded with
`seed_demo --communities N`; the pages measured are the demo community 湖滨's (hubin): its home, a
notice, a news article, an event, a forum thread with 20 posts, a deliberation topic, a poll, 反光镜
(/mirror/) and an organisation; each logged out and logged in as a verified resident of hubin (a real
session cookie). The bare page and the page alternate in short wrk rounds, so both see the same machine.
Goal (issue 20): every page at least 50% of the bare page's requests/s in the same run.
"""

import argparse
import os
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from . import server, wrk

GOAL = 0.5
COMMUNITY = "hubin"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.page_floor", description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=700, help="communities to seed (default 700)")
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per page and side (default 10)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds the seconds are split into (default 5)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--only", default="", help="comma-separated page names to measure (default: all)")
    return parser.parse_args(argv)


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
    from participation.deliberations.models import Option, Topic
    from participation.forums.models import ForumCategory, Post, Thread
    from participation.forums.services import create_thread
    from participation.polls.models import PollIndexPage, PollPage
    from portal.accounts.models import Membership
    from tests.benchmarks.bare.models import BarePage
    from tests.benchmarks.bench_poll import QUESTIONS

    community = Community.objects.select_related("root_page").get(slug=COMMUNITY)
    home = community.root_page.specific
    bare = home.add_child(
        instance=BarePage(title="一页纸", slug="bare-floor", body="<p>" + "社区公告正文。" * 40 + "</p>")
    )
    resident = get_user_model().objects.create_user("bench-resident", password="bench-password-1")
    Membership.objects.create(user=resident, community=community, status=Membership.Status.VERIFIED)
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

    def path(model):
        page = model.objects.live().descendant_of(home).first()
        if page is None:
            print(f"the demo has no {model.__name__} on {COMMUNITY}: not measured", flush=True)
            return None
        return page.get_url_parts()[2]

    index = PollIndexPage.objects.descendant_of(home).first()
    if index is not None and not PollPage.objects.descendant_of(home).exists():
        now = timezone.now()
        index.add_child(
            instance=PollPage(
                title="社区服务满意度调查",
                slug="bench-poll",
                opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=1),
                audience=PollPage.Audience.ANYONE,
                questions=QUESTIONS,
            )
        )

    topic = Topic.objects.filter(community=community).order_by("-voting_ends").first()
    if topic is None:  # the demo's topics are on other communities: one in its voting phase, two options
        now = timezone.now()
        topic = Topic.objects.create(
            community=community,
            title="是否在3号楼加装电梯",
            description="加装电梯的费用分摊方案见附件。" * 10,
            proposal_starts=now - timedelta(days=10),
            discussion_starts=now - timedelta(days=2),
            voting_starts=now - timedelta(days=1),
            voting_ends=now + timedelta(days=1),
        )
        for i, label in enumerate(("同意", "不同意")):
            Option.objects.create(topic=topic, label=label, sort_order=i)
    paths = {
        "bare Wagtail page": bare.get_url_parts()[2],
        "community home": "/",
        "notice": path(NoticePage),
        "news": path(NewsArticlePage),
        "event": path(EventPage),
        "forum thread (20 posts)": reverse("forums:thread", args=[thread.pk]),
        "deliberation topic": reverse("deliberations:topic", args=[topic.pk]),
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
    wrk_path = wrk.ensure_installed()
    workdir = Path(tempfile.mkdtemp(prefix="page-floor-"))
    try:
        return measure(args, wrk_path, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(args, wrk_path, workdir: Path) -> int:
    host = server.host(COMMUNITY)
    with server.fresh_database(workdir) as database_url:
        env = server.bench_environment(workdir, database_url)
        env.update(DJANGO_SETTINGS_MODULE="tests.benchmarks.page_settings", PORTAL_PAGE_CACHE_SECONDS="0")
        server.manage(env, "migrate", "--noinput", "-v", "0")
        server.manage(env, "collectstatic", "--noinput", "-v", "0")
        server.manage(env, "compile_translations")
        server.manage(env, "seed_demo", "--allow-production", "--communities", str(args.communities))
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
    print(
        f"\ndatabase: {vendor}; {args.communities} communities; gunicorn {args.workers} sync workers; wrk "
        f"{args.connections} connections; {args.rounds} rounds of {round_seconds} s per side; page cache off; "
        f"{os.cpu_count()} cores; load average at the end {load}\n"
    )
    print("| page | visitor | req/s | bare page req/s | % of bare | p99 | goal (≥50%) |")
    print("|---|---|---:|---:|---:|---:|---|")
    for name, who, rate, bare_rate, ratio, p99 in rows:
        met = "met" if ratio >= GOAL else "missed"
        print(f"| {name} | {who} | {rate:.1f} | {bare_rate:.1f} | {ratio:.0%} | {p99:.0f} ms | {met} |")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(server.PROJECT))
    sys.exit(main())
