from datetime import timedelta

import pytest
from django.utils import timezone

from participation.complaints import cases
from participation.complaints.models import Complaint, ServiceCategory
from participation.deliberations.models import Option, Topic
from participation.elections.models import Candidate, Election, Post
from participation.polls.models import PollIndexPage, PollPage
from portal.api import keys
from tests.communities.helpers import add_event, add_news, add_notice
from tests.participation.polls.conftest import QUESTIONS


@pytest.fixture
def records(city, make_user):
    """One of each public record in community a1, a private complaint, and a partner key for a1 and b1."""
    a1 = city["a1"]
    worker = make_user("api-worker", is_staff=True)
    road = ServiceCategory.objects.create(service_code="road", name="道路破损", department="市政局")
    public = cases.submit(
        community=a1,
        reporter=make_user("api-reporter", phone="13800138000"),
        kind=Complaint.Kind.HAZARD,
        category=road,
        description="井盖丢了，电话13800138000",
        address="甲街道3号楼1203室",
        public=True,
        contact_phone="13800138000",
    )
    cases.accept(public, worker, "已受理")
    cases.add_note(public, worker, "内部备注：联系人张三", public=False)
    cases.add_note(public, worker, "已派人处理", public=True)
    private = cases.submit(
        community=a1, reporter=None, kind=Complaint.Kind.HAZARD, category=road, description="不公开", address="某处"
    )
    key, plain = keys.issue("12345热线", [a1, city["b1"]], requests_per_minute=1000)
    now = timezone.now()
    topic = Topic.objects.create(
        community=a1,
        title="加装电梯",
        description="是否加装电梯",
        proposal_starts=now - timedelta(days=10),
        discussion_starts=now - timedelta(days=3),
        voting_starts=now - timedelta(days=2),
        voting_ends=now - timedelta(days=1),
    )
    Option.objects.create(topic=topic, label="赞成", sort_order=0)
    election = Election.objects.create(
        community=a1,
        title="第十二届居民委员会选举",
        announcement="选举公告",
        announced_at=now - timedelta(days=10),
        voter_list_from=now - timedelta(days=6),
        nominations_from=now - timedelta(days=5),
        acceptance_from=now - timedelta(days=4),
        candidates_from=now - timedelta(days=3),
        voting_starts=now - timedelta(days=2),
        voting_ends=now - timedelta(days=1),
    )
    post = Post.objects.create(election=election, name="主任", seats=1)
    Candidate.objects.create(
        election=election,
        post=post,
        person=make_user("api-candidate", phone="13900139000"),
        status=Candidate.Status.ACCEPTED,
        statement="为大家服务",
    )
    index = a1.root_page.get_children().type(PollIndexPage).first().specific
    poll = PollPage(
        title="意见征集",
        slug="api-poll",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        results_visibility=PollPage.ResultsVisibility.LIVE,
        questions=QUESTIONS,
    )
    index.add_child(instance=poll)
    return {
        "topic": topic,
        "election": election,
        "poll": poll,
        "notice": add_notice(a1, "停水通知", summary="周三停水", issuer="居委会"),
        "news": add_news(a1, "社区新闻"),
        "event": add_event(a1, "读书会", capacity=10),
        "public": public,
        "private": private,
        "category": road,
        "key": key,
        "plain_key": plain,
        "worker": worker,
    }
