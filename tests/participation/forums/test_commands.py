from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from participation.forums.models import ForumPage, Thread, ThreadRead
from participation.forums.services import create_thread
from participation.forums.tasks import purge_forum_read_state


def test_recount_refuses_an_unknown_community(city):
    with pytest.raises(CommandError, match="No community"):
        call_command("recount_forum", community="nowhere")


def test_purge_task_removes_only_old_read_markers(city, categories, make_user):
    reader = make_user("reader")
    old, recent = (
        create_thread(
            community=city["a1"], category=categories["a1"], author=make_user(), title=t, body="x", state="published"
        )
        for t in ("旧", "新")
    )
    ThreadRead.objects.create(
        user=reader, thread=old, last_read_number=1, updated_at=timezone.now() - timedelta(days=90)
    )
    ThreadRead.objects.create(user=reader, thread=recent, last_read_number=1)
    result = purge_forum_read_state.enqueue()
    assert result.return_value == 1
    assert list(ThreadRead.objects.values_list("thread_id", flat=True)) == [recent.pk]
    assert Thread.objects.count() == 2


def test_add_forum_pages_fills_gaps_once(city):
    ForumPage.objects.child_of(city["a1"].root_page).get().delete()
    call_command("add_forum_pages")
    call_command("add_forum_pages")
    assert ForumPage.objects.child_of(city["a1"].root_page).count() == 1
    assert ForumPage.objects.count() == len(city)
