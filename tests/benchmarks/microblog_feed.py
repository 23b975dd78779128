"""Benchmark: a community's microblog feed with 100,000 posts (first page, a page deep in the feed, a
#话题# page, the street's and the city's most discussed) against /healthz in the same run.

Same harness as the forum thread benchmark: gunicorn on a free loopback port over a fresh database (a
temporary SQLite file, or DATABASE_URL when set), keep-alive HTTP clients for a few seconds per URL.
The feed pages by id (`?before=`), never by OFFSET or COUNT, so every page costs the same.

    python -m tests.benchmarks.microblog_feed [--posts 100000] [--seconds 5] [--clients 4]
"""

import argparse
import os
import subprocess
import sys
import tempfile

from .forum_thread import ROOT, free_port, load, wait_until_up


def prepare_database(posts: int) -> tuple[int, str]:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from participation.microblog import services
    from participation.microblog.models import MicroPost, MicroPostTag
    from tests.conftest import build_city

    city = build_city()
    community = city["a1"]
    author = get_user_model().objects.create_user("bench", password="bench-password-1", display_name="邻居")
    tagged = services.create_post(community=community, author=author, text="第一条 #垃圾分类#", state="published")
    tag = tagged.tags.get()
    batch = 5_000
    for start in range(0, posts, batch):
        made = MicroPost.objects.bulk_create(
            MicroPost(
                community=community,
                street_id=community.street_id,  # as MicroPost.save() copies it
                author=author,
                text=f"第{n}条：小区里的新鲜事 " * 3,
                text_html=f"第{n}条：小区里的新鲜事 " * 3,
                comment_count=n % 7,
                discussion_score=n % 7,  # comments + reposts, as services.bump keeps it
            )
            for n in range(start, min(start + batch, posts))
        )
        MicroPostTag.objects.bulk_create(MicroPostTag(content_object=p, tag=tag) for p in made[::10])
    middle = MicroPost.objects.filter(community=community).order_by("pk").values_list("pk", flat=True)[posts // 2]
    return middle, tag.name


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    args = parser.parse_args(argv)

    tmp = tempfile.mkdtemp(prefix="microblog-bench-")
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.test", MEDIA_ROOT=tmp, PORTAL_PAGE_CACHE_SECONDS="0")
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    middle, tag = prepare_database(args.posts)

    from urllib.parse import quote

    port = args.port or free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", str(args.workers), "--access-logfile", "/dev/null", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        wait_until_up(port, deadline=600)  # a loaded machine starts gunicorn slowly
        targets = [
            ("/healthz", "localhost", "/healthz"),
            ("feed, first page", "a1.localhost", "/microblog/"),
            ("feed, deep page", "a1.localhost", f"/microblog/?before={middle}"),
            ("topic page", "a1.localhost", f"/microblog/tag/{quote(tag)}/"),
            ("street discussed", "a1.localhost", "/microblog/street/"),
            ("city discussed", "a1.localhost", "/microblog/city/"),
        ]
        print(f"{args.posts} posts, {args.clients} clients, {args.workers} gunicorn workers, {args.seconds}s each")
        baseline = None
        for name, host, path in targets:
            load(port, host, path, 1, args.clients)  # warm up
            rps, p99, errors = load(port, host, path, args.seconds, args.clients)
            baseline = baseline or rps
            print(f"{name:18} {rps:8.1f} req/s  p99 {p99:7.1f} ms  {rps / baseline:6.1%} of /healthz  errors {errors}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a loaded machine: do not leave it running
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
