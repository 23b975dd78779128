"""A thread page costs the same number of queries whatever the thread's length."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participation.forums.models import Post, Thread
from participation.forums.services import create_thread
from participation.moderation.models import ModerationState


def make_thread(community, category, author, replies: int) -> Thread:
    thread = create_thread(
        community=community, category=category, author=author, title=f"长帖{replies}", body="楼主", state="published"
    )
    Post.objects.bulk_create(
        Post(
            community=community,
            thread=thread,
            number=n,
            author=author,
            body=f"第{n}楼",
            body_html=f"<p>第{n}楼</p>",
            reply_to_id=None,
            moderation_state=ModerationState.PUBLISHED if n % 7 else ModerationState.HIDDEN,
            created_at=timezone.now(),
        )
        for n in range(2, replies + 2)
    )
    Thread.objects.filter(pk=thread.pk).update(last_number=replies + 1, reply_count=replies)
    return thread


def count_queries(client, url) -> int:
    """Queries of a repeat visit (the first visit of a reader creates their read marker)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("logged_in", [False, True])
def test_thread_page_query_count_does_not_grow_with_replies(city, categories, make_user, host_client, logged_in):
    author = make_user("author")
    small = make_thread(city["a1"], categories["a1"], author, replies=5)
    big = make_thread(city["a1"], categories["a1"], author, replies=2_000)
    client = host_client("a1.localhost", make_user("reader") if logged_in else None)
    client.get(f"/forum/t/{small.pk}/")  # warm per-process caches (content types, site root paths)
    counts = {
        (name, page): count_queries(client, f"/forum/t/{thread.pk}/?page={page}")
        for name, thread in (("small", small), ("big", big))
        for page in ("1", "last")
    }
    assert len(set(counts.values())) == 1, counts
    # 10 logged in: the page asks decide() whether this reader may reply, to say why not before they write
    # (three queries), and whether they moderate here (one: whether they are in a group at all, which scoping
    # needs; the permission's joins only for those who are); which posts they liked only of liked posts (none);
    # 1 logged out: the thread's version, for the anonymous page cache.
    assert counts[("big", "last")] == (10 if logged_in else 1), counts


def make_threads(community, category, author, n):
    for _ in range(n):
        make_thread(community, category, author, replies=2)


@pytest.mark.parametrize("logged_in", [False, True])
def test_the_index_category_and_my_posts_cost_the_same_for_few_and_many_threads(
    city, categories, make_user, host_client, logged_in
):
    """a1's forum holds 2 threads by one writer, b1's 25 (more than a page) by another."""
    writers = {"a1": make_user("few"), "b1": make_user("many")}
    make_threads(city["a1"], categories["a1"], writers["a1"], 2)
    make_threads(city["b1"], categories["b1"], writers["b1"], 25)
    counts = {}
    for slug, writer in writers.items():
        client = host_client(f"{slug}.localhost", writer if logged_in else None)
        urls = ["/forum/", "/forum/?page=2", f"/forum/c/{categories[slug].slug}/"]
        counts[slug] = [count_queries(client, url) for url in urls]
        if logged_in:
            counts[slug].append(count_queries(client, "/forum/mine/"))
    assert counts["a1"] == counts["b1"], counts


def test_the_compiled_reads_of_a_thread_page_give_what_the_querysets_give(city, categories, make_user):
    """The page reads its thread and posts with statements compiled once (portal.core.statements) and builds the
    rows itself: every value the page shows is the queryset's, for replies, hidden, deleted and edited posts."""
    from participation.forums import views

    author, neighbour = make_user("author", display_name="楼主"), make_user("neighbour")
    thread = make_thread(city["a1"], categories["a1"], author, replies=30)
    Post.objects.filter(thread=thread, number=3).update(author=neighbour, edited_at=timezone.now())
    Post.objects.filter(thread=thread, number=5).update(reply_to=Post.objects.get(thread=thread, number=3))
    Post.objects.filter(thread=thread, number=6).update(deleted_at=timezone.now(), reply_to=thread.posts.first())
    neighbour.deleted_at = timezone.now()
    neighbour.save()
    for first, last in ((1, 20), (21, 40), (41, 60)):
        expected = list(views._shown_posts(thread).filter(number__range=(first, last)).order_by("number"))
        built = views._posts_numbered(thread, first, last)
        assert [p.sitewide_key for p in built] == [p.sitewide_key for p in expected], (first, last)
        # What the page does not show is left unread (deferred) as by the queryset's only(): the body's source.
        assert [p.get_deferred_fields() for p in built] == [p.get_deferred_fields() for p in expected]
    request = type("Request", (), {"user": author})()
    read = views._get_thread(request, city["a1"], thread.pk)
    expected = Thread.objects.select_related("category").get(pk=thread.pk)
    columns = [f.attname for f in Thread._meta.concrete_fields]
    assert [getattr(read, c) for c in columns] == [getattr(expected, c) for c in columns]
    assert read.category.get_absolute_url() == expected.category.get_absolute_url()
    with pytest.raises(Http404):
        views._get_thread(request, city["b1"], thread.pk)  # another community's thread
