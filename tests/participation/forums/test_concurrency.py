"""Twenty requests at once, each thread with its own database connection (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection

from participation.forums.models import Post, PostLike, Thread
from participation.forums.services import create_thread

N = 20
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.connections(N),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def run_at_once(calls):
    """Start every call at the same moment; return their results (each thread closes its connection)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # reported by the assertion below, not swallowed
            results[i] = exc
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return results


@pytest.fixture
def thread(city, categories, make_user, trusted):
    trusted(city["a1"])
    return create_thread(
        community=city["a1"],
        category=categories["a1"],
        author=make_user("op"),
        title="并发",
        body="楼主",
        state="published",
    )


def test_twenty_simultaneous_likes_by_one_resident_store_one(thread, make_user, host_client):
    resident = make_user("liker")
    post = Post.objects.get(thread=thread, number=1)
    clients = [host_client("a1.localhost", resident) for _ in range(N)]
    results = run_at_once([lambda c=c: c.post(f"/forum/p/{post.pk}/like/").status_code for c in clients])
    assert results == [302] * N
    post.refresh_from_db()
    thread.refresh_from_db()
    assert PostLike.objects.filter(post=post).count() == 1
    assert post.like_count == 1 and thread.like_count == 1


def test_twenty_simultaneous_replies_keep_the_counter_exact(thread, make_user, host_client):
    clients = [host_client("a1.localhost", make_user(f"r{i}")) for i in range(N)]
    results = run_at_once(
        [
            lambda c=c, i=i: c.post(f"/forum/t/{thread.pk}/reply/", {"body": f"回复{i}"}).status_code
            for i, c in enumerate(clients)
        ]
    )
    assert results == [302] * N
    thread.refresh_from_db()
    numbers = sorted(Post.objects.filter(thread=thread).values_list("number", flat=True))
    assert numbers == list(range(1, N + 2))
    assert thread.reply_count == N and thread.last_number == N + 1
    assert Thread.objects.get(pk=thread.pk).reply_count == Post.objects.filter(thread=thread, number__gt=1).count()
