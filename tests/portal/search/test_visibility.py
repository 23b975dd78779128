"""Visitors find only what they may see, of every kind; the index follows each change after commit."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from participation.complaints import cases
from participation.complaints.models import Complaint, ServiceCategory
from participation.deliberations.models import Proposal, Topic
from participation.forums import services as forums
from participation.forums.models import ForumCategory
from participation.moderation import services as moderation
from participation.moderation.models import ModerationState
from portal.search.models import SearchDocument
from portal.search.query import SearchRequest
from portal.search.service import search
from portal.search.text import parse_query

from .helpers import add_notice


def found(q, community=None, staff=None):
    request = SearchRequest(
        query=parse_query(q),
        scope="community" if community else "city",
        scope_id=community.pk if community else None,
        staff_communities=staff,
        per_page=50,
    )
    return {(hit.kind, hit.object_id) for hit in search(request).hits}


@pytest.fixture
def category(city):
    return ForumCategory.objects.create(community=city["a1"], name="闲聊", slug="chat")


@pytest.fixture
def thread(city, category, make_user, committed):
    return committed(
        forums.create_thread,
        community=city["a1"],
        category=category,
        author=make_user(),
        title="小区的垃圾分类做得不好",
        body="厨余垃圾和塑料袋混在一起扔。",
        state=ModerationState.PUBLISHED,
    )


def test_a_draft_is_not_found_until_published_and_not_after_unpublishing(city, committed):
    notice = committed(add_notice, city["a1"], "停水通知", "water", publish=False)
    assert found("停水") == set()
    assert SearchDocument.objects.get(kind="notice").public is False  # staff still find the draft
    committed(lambda: notice.save_revision().publish())
    assert found("停水") == {("notice", str(notice.pk))}
    notice.refresh_from_db()
    committed(notice.unpublish)
    assert found("停水") == set()


def test_expired_and_not_yet_valid_notices_drop_out_without_a_reindex(city, committed):
    now = timezone.now()
    committed(add_notice, city["a1"], "停水通知", "old", valid_until=now - timedelta(minutes=1))
    committed(add_notice, city["a1"], "停电通知", "later", valid_from=now + timedelta(days=1))
    current = committed(add_notice, city["a1"], "停气通知", "now", valid_until=now + timedelta(days=1))
    assert found("通知") == {("notice", str(current.pk))}
    later = SearchRequest(query=parse_query("停电"), now=now + timedelta(days=2))
    assert [hit.title for hit in search(later).hits] == ["停电通知"]


def test_a_private_page_leaves_the_index_and_comes_back(city, committed):
    notice = committed(add_notice, city["a1"], "停水通知", "water")
    restriction = committed(PageViewRestriction.objects.create, page=notice, restriction_type=PageViewRestriction.LOGIN)
    assert found("停水") == set()
    committed(restriction.delete)
    assert found("停水") == {("notice", str(notice.pk))}


def test_a_deleted_page_leaves_the_index(city, committed):
    notice = committed(add_notice, city["a1"], "停水通知", "water")
    committed(notice.delete)
    assert not SearchDocument.objects.filter(kind="notice").exists()
    assert found("停水") == set()


def test_hidden_threads_take_their_replies_with_them(city, thread, make_user, committed):
    reply = committed(
        forums.create_reply, thread_id=thread.pk, author=make_user(), body="同意，垃圾分类要督导。", state="published"
    )
    assert found("垃圾分类") == {("thread", str(thread.pk)), ("post", str(reply.pk))}
    moderator = make_user()
    committed(moderation.act, thread, "hide", moderator, "广告")
    assert found("垃圾分类") == set()
    committed(moderation.act, thread, "restore", moderator, "误判")
    assert found("垃圾分类") == {("thread", str(thread.pk)), ("post", str(reply.pk))}


def test_pre_moderated_and_deleted_posts_are_not_found(city, thread, make_user, committed):
    author = make_user()
    held = committed(
        forums.create_reply, thread_id=thread.pk, author=author, body="停车位太少了", state=ModerationState.PENDING
    )
    assert found("停车位") == set()
    committed(moderation.act, held, "approve", make_user(), "可以")
    assert found("停车位") == {("post", str(held.pk))}
    committed(forums.delete_post, held, author)
    assert found("停车位") == set()


def test_an_edit_of_the_opening_post_changes_the_thread_text(city, thread, committed):
    opening = thread.posts.get(number=1)
    committed(forums.edit_post, opening, opening.author, "停车位太少，晚上没地方停。", ModerationState.PUBLISHED)
    assert found("停车位") == {("thread", str(thread.pk))}
    assert found("塑料袋") == set()


@pytest.fixture
def complaint(city, make_user, committed):
    category = ServiceCategory.objects.create(service_code="noise", name="噪音扰民")
    return committed(
        cases.submit,
        community=city["a1"],
        reporter=make_user(),
        kind=Complaint.Kind.HAZARD,
        category=category,
        description="楼下烧烤店每晚噪音到凌晨两点，我的电话13812345678。",
        address="甲街道1号",
        public=True,
    )


def test_complaints_are_found_once_on_the_public_record_with_personal_data_masked(complaint, make_user, committed):
    assert found("烧烤店") == set()  # submitted: not yet on the public record
    committed(cases.accept, complaint, make_user())
    assert found("烧烤店") == {("complaint", str(complaint.pk))}
    (hit,) = search(SearchRequest(query=parse_query("烧烤店"))).hits
    assert "13812345678" not in hit.text and "138****5678" in hit.text
    assert found("13812345678") == set()
    complaint.public = False
    committed(complaint.save)
    assert found("烧烤店") == set()


def test_deliberation_topics_and_open_proposals_are_found(city, make_user, committed):
    now = timezone.now()
    topic = committed(
        Topic.objects.create,
        community=city["a1"],
        title="关于加装电梯的议题",
        description="5号楼加装电梯，费用按楼层分摊。",
        discussion_starts=now,
        voting_starts=now + timedelta(days=1),
        voting_ends=now + timedelta(days=8),
    )
    proposal = committed(
        Proposal.objects.create,
        community=city["a1"],
        proposer=make_user(),
        title="建议增设停车位",
        description="东门空地划为停车位。",
        options="同意\n不同意",
        cosigners_needed=3,
    )
    assert found("加装电梯") == {("deliberation", str(topic.pk))}
    assert found("停车位") == {("proposal", str(proposal.pk))}
    proposal.topic = topic
    committed(proposal.save)
    assert found("停车位") == set()  # opened as a topic: the topic stands for it


def test_staff_find_hidden_content_of_their_communities_only(city, thread, make_user, committed):
    committed(moderation.act, thread, "hide", make_user(), "广告")
    assert found("垃圾分类") == set()
    assert found("垃圾分类", staff=[city["a1"].pk]) == {("thread", str(thread.pk))}
    assert found("垃圾分类", staff=[city["b1"].pk]) == set()


def test_one_community_does_not_see_another(city, committed):
    committed(add_notice, city["a1"], "停水通知", "water-a1")
    other = committed(add_notice, city["b1"], "停水通知", "water-b1")
    assert found("停水", community=city["b1"]) == {("notice", str(other.pk))}


def test_microblog_posts_are_found_with_their_comments_and_leave_when_hidden(city, make_user, committed):
    from participation.microblog import services as microblog

    author = make_user()
    post = committed(
        microblog.create_post,
        community=city["a1"],
        author=author,
        text="东门的 #桂花# 开了",
        state=ModerationState.PUBLISHED,
    )
    assert found("桂花") == {("microblog", str(post.pk))}
    committed(
        microblog.create_comment,
        post=post,
        author=make_user(),
        text="停车场旁边也有",
        state=ModerationState.PUBLISHED,
        community=city["a1"],
    )
    assert found("停车场") == {("microblog", str(post.pk))}
    committed(moderation.act, post, "hide", make_user(), "不合适")
    assert found("桂花") == set()
