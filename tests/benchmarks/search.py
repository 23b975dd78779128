"""Search at scale on PostgreSQL: latency of a search against a primary-key lookup, indexing throughput.

    DATABASE_URL=postgres://... python -m tests.benchmarks.search --posts 100000 [--posts 1000000] [--no-write]

On the database DATABASE_URL names (migrated here). Seeded documents stay for the next run, which adds
only what is missing up to --posts (--fresh starts again):

1. One real community gets --real forum posts (bulk inserts); `reindex_search --kind post --community a1` reads
   them through the post indexer: the throughput from source rows to the index.
2. Forum-post documents across 700 communities (70 streets, 10 districts) are COPYed in as the
   rows the post indexer writes, up to --posts; `rebuild_search_index --keep-documents` indexes them
   all: the throughput of the rebuild command (segmentation and Wagtail's PostgreSQL index).
3. In one process, interleaved: a primary-key lookup of one forum post, a community-scoped search and
   a city-wide search with facets, each for the same random queries; p50 and p99.

Writes the table between markers in docs/performance.md. A benchmark, not a test: goals missed are
reported, not failed.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

START = "<!-- bench:search:start (written by `python -m tests.benchmarks.search`; edit outside these markers) -->"
END = "<!-- bench:search:end -->"
COMMUNITIES, STREETS, DISTRICTS = 700, 70, 10
QUERIES = (
    "停车位",
    "垃圾分类",
    "加装电梯",
    "物业费",
    "噪音",
    "WiFi",
    "3号楼",
    "长者食堂",
    "电动车充电",
    "网格员",
    "停水",
    "快递柜",
    "广场舞",
    "业委会",
    "消防通道",
    "小区停车难怎么办",
    "垃圾分類",
    "路灯坏了",
)
GOALS_MS = {"community": 150, "city": 300}


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import django

    django.setup()


def make_texts(rng):
    from tests.portal.search.corpus.build import CLOSINGS, OPENINGS
    from tests.portal.search.corpus.topics import BUILDINGS, ESTATES, TOPICS

    topic = rng.choice(TOPICS)
    title = rng.choice(topic.titles) + rng.choice(("", "的问题", "怎么办", "大家怎么看", "求助"))
    body = rng.choice(OPENINGS["post"]) + "".join(rng.sample(topic.sentences, k=min(3, len(topic.sentences))))
    if rng.random() < 0.3:
        body += f"地址：{rng.choice(ESTATES)}{rng.choice(BUILDINGS)}。"
    return title, body + rng.choice(CLOSINGS["post"])


def seed_real_posts(count: int, rng) -> list[int]:
    """One provisioned community with `count` real forum posts (bulk inserts); returns their ids."""
    from django.contrib.auth import get_user_model

    from communities.regions.models import Community
    from participation.content.markdown import render_markdown
    from participation.forums.models import ForumCategory, Post, Thread
    from tests.conftest import build_city

    community = Community.objects.filter(slug="a1").first() or build_city()["a1"]
    Post.objects.filter(community=community).delete()
    Thread.objects.filter(community=community).delete()
    user, _ = get_user_model().objects.get_or_create(username="bench-search")
    category, _ = ForumCategory.objects.get_or_create(community=community, slug="bench", defaults={"name": "基准"})
    threads = Thread.objects.bulk_create(
        [
            Thread(community=community, category=category, author=user, title=make_texts(rng)[0], last_number=20)
            for _ in range(max(1, count // 20))
        ]
    )
    posts = []
    for i in range(count):
        _title, body = make_texts(rng)
        posts.append(
            Post(
                community=community,
                thread=threads[i // 20 % len(threads)],
                number=i % 20 + 1,
                author=user,
                body=body,
                body_html=render_markdown(body),
            )
        )
    Post.objects.bulk_create(posts, batch_size=2000)
    return list(Post.objects.filter(community=community).values_list("pk", flat=True))


def seed_documents(total: int, rng, progress=print) -> int:
    """COPY post documents across 700 communities into the table until there are `total` synthetic ones
    (one COPY stream: ~10x the rows/s of bulk_create's INSERTs)."""
    from django.db import connection, transaction

    from portal.search.models import SearchDocument

    existing = SearchDocument.objects.filter(kind="post", object_id__startswith="b").count()
    start = datetime(2024, 1, 1, tzinfo=UTC)
    now = datetime.now(UTC)
    columns = (
        "kind, object_id, community_id, street_id, district_id, public, date, heading, title_prefix, text, "
        "path, admin_path, updated_at"
    )
    table = SearchDocument._meta.db_table
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for n in range(existing, total):
            community = n % COMMUNITIES + 1000
            street = community % STREETS + 2000
            title, body = make_texts(rng)
            copy.write_row(
                (
                    "post",
                    f"b{n}",
                    community,
                    street,
                    street % DISTRICTS + 3000,
                    True,
                    start + timedelta(minutes=n),
                    title,
                    "回复：",
                    body,
                    f"/forum/t/{n // 20}/p/{n % 20 + 1}/",
                    "",
                    now,
                )
            )
            if (n + 1) % 100_000 == 0:
                progress(f"  seeded {n + 1} documents")
    return total - existing


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(post_ids, rounds, rng):
    from participation.forums.models import Post
    from portal.search.query import SearchRequest
    from portal.search.service import search
    from portal.search.text import parse_query

    timings = {"pk": [], "community": [], "city": []}
    counts = {"community": [], "city": []}
    for i in range(rounds + 5):
        q = parse_query(QUERIES[i % len(QUERIES)])
        community = rng.randrange(COMMUNITIES) + 1000
        pk = rng.choice(post_ids)
        started = time.perf_counter()
        Post.objects.get(pk=pk)
        pk_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        local = search(SearchRequest(query=q, scope="community", scope_id=community))
        community_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        everywhere = search(SearchRequest(query=q, scope="city"))
        city_ms = (time.perf_counter() - started) * 1000
        if i >= 5:  # the first few warm the caches
            timings["pk"].append(pk_ms)
            timings["community"].append(community_ms)
            timings["city"].append(city_ms)
            counts["community"].append(local.total)
            counts["city"].append(everywhere.total)
    return timings, counts


def run_size(total, args, post_ids, rng, lines):
    from django.core.management import call_command

    from portal.search.models import SearchDocument

    print(f"== {total} post documents")
    t = time.perf_counter()
    added = 0 if args.search_only else seed_documents(total - len(post_ids), rng)
    seed_s = time.perf_counter() - t
    print(f"  seeded {added} documents in {seed_s:.0f} s")
    started = time.perf_counter()
    if not args.search_only:
        call_command("rebuild_search_index", "--keep-documents", verbosity=0)
    rebuild_s = time.perf_counter() - started
    indexed = SearchDocument.objects.count()
    rebuilt = "not run" if args.search_only else f"{indexed / rebuild_s:,.0f} ({rebuild_s:.0f} s)"
    seeding = "not run" if args.search_only else f"{added / max(seed_s, 0.001):,.0f}"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    load_before = os.getloadavg()[0]
    timings, counts = measure(post_ids, args.rounds, rng)
    load = (load_before + os.getloadavg()[0]) / 2
    row = {name: (statistics.median(v), percentile(v, 99)) for name, v in timings.items()}
    lines.append(
        f"| {indexed:,} | {row['pk'][0]:.2f} / {row['pk'][1]:.2f} | "
        f"{row['community'][0]:.1f} / {row['community'][1]:.1f} | {row['city'][0]:.1f} / {row['city'][1]:.1f} | "
        f"{statistics.median(counts['community']):.0f} / {statistics.median(counts['city']):.0f} | "
        f"{rebuilt} | {seeding} | {load:.1f} |"
    )
    print(lines[-1])
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.search", description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, action="append", help="index sizes to measure (default 100000)")
    parser.add_argument("--real", type=int, default=10_000, help="real forum posts read through the indexer")
    parser.add_argument("--rounds", type=int, default=200, help="measured searches per scope (default 200)")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/performance.md")
    parser.add_argument(
        "--search-only",
        action="store_true",
        help="time the searches on the documents and index already there (no seeding, no rebuild)",
    )
    parser.add_argument("--fresh", action="store_true", help="delete the seeded documents of earlier runs first")
    args = parser.parse_args(argv)
    sizes = sorted(args.posts or [100_000])
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("This benchmark runs on PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    setup_django()
    from django.core.management import call_command

    from portal.search.models import SearchDocument

    rng = random.Random(2026)
    call_command("migrate", "--noinput", verbosity=0)
    if args.fresh:
        SearchDocument.objects.all().delete()
    if args.search_only:
        from participation.forums.models import Post

        post_ids = list(Post.objects.filter(community__slug="a1").values_list("pk", flat=True))
        source_rate = None
    else:
        print(f"== {args.real} real forum posts, read through the post indexer")
        post_ids = seed_real_posts(args.real, rng)
        started = time.perf_counter()
        call_command("reindex_search", "--kind", "post", "--community", "a1", verbosity=0)
        source_rate = len(post_ids) / (time.perf_counter() - started)
        print(f"  {source_rate:.0f} posts/s from source rows to the index")
    lines = [
        "| indexed posts | pk lookup p50 / p99 ms | community search p50 / p99 ms | city search + facets p50 / p99 ms "
        "| median hits community / city | rebuild items/s | seeding rows/s | load average |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    results = {size: run_size(size, args, post_ids, rng, lines) for size in sizes}
    from django.conf import settings

    goal_lines = []
    largest = sizes[-1]
    for scope, goal in GOALS_MS.items():
        p99 = results[largest][scope][1]
        verdict = "MET" if p99 < goal else "MISSED"
        ratio = p99 / max(results[largest]["pk"][1], 0.001)
        goal_lines.append(
            f"- {scope} p99 at {largest:,} posts: {p99:.0f} ms (goal < {goal} ms): {verdict}; "
            f"{ratio:.0f}x the primary-key lookup's p99 in the same run"
        )
    text = "\n".join(
        [
            f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on PostgreSQL, {os.cpu_count()} cores, "
            f"{args.rounds} searches per scope and size, queries such as 停车位, 3号楼, WiFi, 垃圾分類; "
            f"SEARCH_CANDIDATES={settings.SEARCH_CANDIDATES}. Load average: the mean of before and after "
            "the searches of each size (2 cores shared with other engineers' work).",
            f"Reading real forum posts through the post indexer: {source_rate:,.0f} posts/s."
            if source_rate
            else "Searches only (--search-only): the documents and the index of an earlier run.",
            "",
            *lines,
            "",
            *goal_lines,
            "",
            "Command: `DATABASE_URL=postgres://... python -m tests.benchmarks.search "
            + " ".join(f"--posts {s}" for s in sizes)
            + (" --search-only" if args.search_only else "")
            + "`",
        ]
    )
    print(text)
    if not args.no_write:
        from .report import write_between_markers

        write_between_markers(START, END, "Search", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
