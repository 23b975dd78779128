"""Residents' questions: hidden until the community's staff approve them; answered by the organisation."""

import pytest
from django.urls import reverse

from communities.organisations.models import Question
from tests.membership import members_of


@pytest.fixture
def make_user(make_user, city):
    """Residents of a1 ask (asking needs a membership: portal.accounts.actions)."""
    return members_of(make_user, city["a1"])


def ask(host_client, user, org, body):
    return host_client("a1.localhost", user=user).post(org.url + "questions/", {"body": body})


def test_questions_are_hidden_until_approved_then_answered_by_the_organisation(
    city, org_a, make_user, host_client, staff_of, editor_of
):
    resident = make_user()
    response = ask(host_client, resident, org_a, "长者食堂周末营业吗？")
    assert response.status_code == 302
    question = Question.objects.get()
    assert (question.status, question.community, question.author) == ("pending", city["a1"], resident)
    public = host_client("a1.localhost")
    assert "长者食堂周末营业吗" not in public.get(org_a.url + "questions/").content.decode()

    staff = host_client("a1.localhost", user=staff_of(org_a))
    detail = reverse("organisations_question", args=[question.pk])
    denied = staff.post(detail, {"action": "approve"})  # the organisation cannot moderate
    assert denied.status_code == 302 and denied["Location"] == "/admin/"  # Wagtail's answer to PermissionDenied
    question.refresh_from_db()
    assert question.status == "pending"
    answered = staff.post(detail, {"action": "answer", "answer": "周六中午照常营业。"})
    assert answered["Location"] == reverse("organisations_questions")

    editor = host_client("a1.localhost", user=editor_of(city["a1"]))
    assert "长者食堂周末营业吗" in editor.get(reverse("organisations_questions")).content.decode()
    assert editor.post(detail, {"action": "answer", "answer": "代答"})["Location"] == "/admin/"
    assert editor.post(detail, {"action": "approve"})["Location"] == reverse("organisations_questions")
    question.refresh_from_db()
    assert (question.status, question.answer) == ("approved", "周六中午照常营业。")

    page = public.get(org_a.url + "questions/").content.decode()
    assert "长者食堂周末营业吗" in page and "周六中午照常营业。" in page


def test_other_staff_cannot_see_or_act_on_a_question(city, org_a, org_b, make_user, host_client, staff_of, editor_of):
    ask(host_client, make_user(), org_a, "请问如何报名志愿者？")
    question = Question.objects.get()
    detail = reverse("organisations_question", args=[question.pk])
    for outsider in (staff_of(org_b), editor_of(city["c1"])):
        client = host_client("a1.localhost", user=outsider)
        assert client.get(detail).status_code == 404
        assert client.post(detail, {"action": "approve"}).status_code == 404
    question.refresh_from_db()
    assert question.status == "pending"


def test_anonymous_visitors_must_log_in_and_bad_questions_get_a_form_error(city, org_a, make_user, host_client):
    response = host_client("a1.localhost").post(org_a.url + "questions/", {"body": "匿名提问内容"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = ask(host_client, make_user(), org_a, "短")
    assert response.status_code == 400
    assert not Question.objects.exists()


def test_questions_pass_the_forums_posting_rules(city, org_a, make_user, host_client):
    from participation.moderation.models import SensitiveWord

    SensitiveWord.objects.create(community=None, word="赌博", action=SensitiveWord.Action.BLOCK)
    resident = make_user()
    refused = ask(host_client, resident, org_a, "哪里可以赌 博？")
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "哪里可以赌 博" in body  # what the resident typed is kept
    assert not Question.objects.exists()
    assert ask(host_client, resident, org_a, "请问周末有活动吗？").status_code == 302
    assert Question.objects.count() == 1
