"""The index is written by tasks after the transaction commits: never inside the request, never for a
rolled-back change, once per item per transaction. Repairs and rebuilds re-read the sources."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from participation.forums.models import ForumCategory
from portal.search import dictionary, tasks, text
from portal.search.models import SearchDocument
from portal.search.service import search_for_bot

from .helpers import add_notice


@pytest.fixture
def enqueued(monkeypatch):
    """Record what the index tasks are asked to do, without doing it."""
    calls = []

    class Recorder:
        def __init__(self, name):
            self.name = name

        def enqueue(self, *args):
            calls.append((self.name, *args))

    for name in ("update_documents", "remove_documents", "update_related"):
        monkeypatch.setattr(tasks, name, Recorder(name))
    return calls


def test_nothing_is_indexed_for_a_rollback(city, enqueued, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks(execute=False)
    with capture as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        add_notice(city["a1"], "停水通知", "water")
        raise RuntimeError("rolled back")
    assert enqueued == []
    for callback in callbacks:
        callback()
    assert enqueued == []


def test_publishing_a_page_enqueues_one_update_after_commit(city, enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice = add_notice(city["a1"], "停水通知", "water")  # creation, a revision and publishing: 3 saves
        assert enqueued == []
    for callback in callbacks:
        callback()
    assert enqueued == [("update_documents", "notice", [str(notice.pk)])]


def test_a_forum_post_made_in_a_request_is_indexed_only_after_commit(city, host_client, make_user, settings):
    from participation.moderation.ratelimit import DEFAULT_LIMITS

    settings.MODERATION_RATE_LIMITS = {
        a: {"user": (999, 60), "ip": (999, 60), "new_user": (999, 60)} for a in DEFAULT_LIMITS
    }
    category = ForumCategory.objects.create(community=city["a1"], name="闲聊", slug="chat")
    user = make_user()
    from portal.accounts.models import Membership

    Membership.objects.create(user=user, community=city["a1"], status=Membership.Status.VERIFIED)
    client = host_client("a1.localhost", user)
    response = client.post(
        "/forum/new/", {"category": category.pk, "title": "停车位太少", "body": "晚上找不到停车位。"}
    )
    assert response.status_code in (200, 302)
    # The test's transaction never commits, so the task never ran: the request did not index.
    assert not SearchDocument.objects.filter(kind="thread").exists()


def test_repair_re_reads_a_kind_or_a_community_and_drops_what_is_gone(city, committed):
    notice = committed(add_notice, city["a1"], "停水通知", "water")
    SearchDocument.objects.filter(kind="notice").update(heading="旧标题")
    SearchDocument.objects.create(
        kind="notice", object_id="999999", community_id=city["a1"].pk, heading="幽灵", path="/x/"
    )
    call_command("reindex_search", "--kind", "notice", "--community", "a1", verbosity=0)
    assert list(SearchDocument.objects.filter(kind="notice").values_list("object_id", "heading")) == [
        (str(notice.pk), "停水通知")
    ]


def test_repair_refuses_unknown_kinds_and_communities(city):
    with pytest.raises(CommandError, match="Unknown kind"):
        call_command("reindex_search", "--kind", "nope", verbosity=0)
    with pytest.raises(CommandError, match="No community"):
        call_command("reindex_search", "--community", "nowhere", verbosity=0)


def test_rebuild_regenerates_every_row_and_reports_throughput(city, committed):
    committed(add_notice, city["a1"], "停水通知", "water")
    SearchDocument.objects.all().delete()
    from io import StringIO

    out = StringIO()
    call_command("rebuild_search_index", verbosity=0, stdout=out)
    assert "items/s" in out.getvalue()
    assert [hit["title"] for hit in search_for_bot("停水", community="a1")] == ["停水通知"]


def test_the_wechat_bot_gets_plain_results_with_full_urls(city, committed):
    committed(add_notice, city["a1"], "停水通知", "water", body="本周四停水，请提前储水。")
    committed(add_notice, city["b1"], "停水通知", "water-b")
    results = search_for_bot("停水", community="a1", limit=5)
    assert results == [
        {
            "kind": "notice",
            "kind_label": "通知公告" if results[0]["kind_label"] == "通知公告" else results[0]["kind_label"],
            "title": "停水通知",
            "snippet": results[0]["snippet"],
            "url": "http://a1.localhost/notices/water/",
            "community": "社区a1",
            "date": results[0]["date"],
        }
    ]
    assert "<" not in results[0]["snippet"] and "停水" in results[0]["snippet"]
    assert len(search_for_bot("停水", limit=5)) == 2
    assert search_for_bot("停水", community="nowhere") == []
    assert search_for_bot("", community="a1") == []


def test_a_community_term_changes_the_cut_and_re_indexes_what_holds_it(city, committed):
    from communities.regions.models import SearchTerm

    notice = committed(add_notice, city["a1"], "翠苑新村停水通知", "water")
    assert text.cut("翠苑新村") != ["翠苑新村"]
    committed(SearchTerm.objects.create, community=city["a1"], word="翠苑新村")
    assert text.cut("翠苑新村") == ["翠苑新村"]
    row = SearchDocument.objects.get(kind="notice", object_id=str(notice.pk))
    assert "翠苑新村" in row.title.split()
    assert dictionary.version() >= 1
