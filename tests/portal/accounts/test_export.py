"""The data export is for people: every key has a translated label, and it lists the staff who looked
at the resident's personal data (from the audit log)."""

import json

import pytest

from participation.complaints import cases
from participation.complaints.models import Complaint, ServiceCategory
from participation.deliberations.models import Comment, CoSignature, Proposal, Topic
from participation.forums import services as forums
from participation.forums.models import ForumCategory
from participation.moderation.models import ModerationState
from portal.accounts import export
from portal.accounts.models import Membership
from portal.accounts.rights import personal_data

from .test_rights import member  # noqa: F401  (the fixture)


@pytest.fixture
def active_member(member, city, make_user):  # noqa: F811
    """The member, with something in every section an app adds to the export."""
    from datetime import timedelta

    from django.utils import timezone

    from participation.polls.models import Answer, Participation, PollIndexPage, PollPage, Response

    user, client = member
    a1 = city["a1"]
    category = ForumCategory.objects.create(community=a1, name="闲聊", slug="chat")
    forums.create_thread(
        community=a1, category=category, author=user, title="楼道灯", body="坏了", state=ModerationState.PUBLISHED
    )
    noise = ServiceCategory.objects.create(service_code="noise", name="噪音扰民")
    cases.submit(
        community=a1, reporter=user, kind=Complaint.Kind.HAZARD, category=noise, description="吵", address="东门"
    )
    now = timezone.now()
    topic = Topic.objects.create(
        community=a1,
        title="加装电梯",
        proposal_starts=now - timedelta(days=3),
        discussion_starts=now - timedelta(days=1),
        voting_starts=now + timedelta(days=1),
        voting_ends=now + timedelta(days=2),
    )
    Comment.objects.create(community=a1, topic=topic, author=user, body="同意")
    proposal = Proposal.objects.create(
        community=a1, proposer=user, title="修车棚", options="是\n否", cosigners_needed=1
    )
    CoSignature.objects.create(proposal=proposal, user=user)
    index = a1.root_page.specific.get_children().type(PollIndexPage).first().specific
    poll = index.add_child(instance=PollPage(title="满意度", slug="s", closes_at=now + timedelta(days=7), questions=[]))
    Participation.objects.create(poll=poll, user=user)
    response = Response.objects.create(poll=poll, community=a1, respondent=user)
    Answer.objects.create(response=response, question_key="q1", value="很好")
    return user, client


def test_every_key_of_a_full_export_has_a_label(active_member):
    user, _client = active_member
    data = personal_data(user)
    for section in (
        "forum_threads",
        "forum_posts",
        "complaints",
        "deliberation_comments",
        "deliberation_proposals",
        "deliberation_cosignatures",
        "polls_answered",
        "poll_answers",
    ):
        assert data[section], section  # the section is not empty: its keys are checked
    assert export.unlabelled_keys(data) == set()


def test_json_and_page_show_labels_not_keys_in_chinese(active_member, settings):
    from django.core.management import call_command

    call_command("compile_translations", verbosity=0)
    settings.LANGUAGE_CODE = "zh-hans"
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # setting_changed drops the cached catalogues
    user, client = active_member
    body = client.get("/accounts/me/data.json").content.decode()
    page = client.get("/accounts/me/data/").content.decode()
    data = json.loads(body)
    for raw in ("display_name", "forum_threads", "category__name", "deliberation_comments", "staff_access"):
        assert raw not in body and f">{raw}<" not in page
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in key) for key in data), list(data)
    for section in ("论坛主题", "诉求与建议", "议事评论", "查看过您个人信息的工作人员"):
        assert section in data and section in page
    (account,) = [v for v in data.values() if isinstance(v, dict)]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in key) for key in account), list(account)


def test_export_lists_the_staff_who_looked_and_why(member, city, worker_of, host_client):  # noqa: F811
    user, client = member
    worker = worker_of(city["a1"])
    worker.display_name = "社区小李"
    worker.save()
    membership = Membership.objects.get(user=user)
    staff = host_client("localhost", worker)
    assert staff.get(f"/admin/memberships/inspect/{membership.pk}/").status_code == 200
    staff.post(f"/admin/memberships/{membership.pk}/reveal/", {"reason": "核对住址信息"})
    data = json.loads(client.get("/accounts/me/data.json").content)
    rows = data["Staff who looked at your personal data"]
    assert [(r["Staff member"], r["Community"]) for r in rows] == [("社区小李", "社区a1")] * 2
    assert rows[0]["What"] == "Viewed your membership (masked)"
    assert rows[1]["What"] == "Revealed your mobile number, real name, room and date of birth"
    assert rows[1]["Reason given"] == "核对住址信息"
    page = client.get("/accounts/me/data/").content.decode()
    assert "社区小李" in page and "核对住址信息" in page
    # The person's own actions are not "staff access".
    assert all(r["Staff member"] != user.public_name for r in rows)
