"""A thread page costs the same number of queries whatever the thread's length."""

import pytest
from django.db import connection
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
    # 17 logged in: the page asks decide() whether this reader may reply, to say why not before they write
    assert counts[("big", "last")] <= (17 if logged_in else 16), counts
