"""The blank poll form is rendered once per published version of the poll (`PollForm.sitewide_key`); a form
with one visitor's answers is never kept; and a resident with no page permission costs no workflow query."""

import copy
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from participation.polls import views
from participation.polls.models import PollPage
from participation.polls.questions import build_form_class, questions_of

from .conftest import VALID_ANSWERS
from .test_polls import HOST, path


def csrf_token(body: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)


def test_a_republished_poll_shows_its_new_questions_at_once(make_poll, host_client, resident):
    poll = make_poll()
    client = host_client(HOST, resident)
    assert "是否同意加装电梯" in client.get(path(poll)).content.decode()

    questions = copy.deepcopy(list(poll.questions.raw_data))  # not the shared QUESTIONS it was made from
    questions[0]["value"]["text"] = "是否同意在三号楼加装电梯？"
    poll.questions = questions
    poll.save_revision().publish()

    body = client.get(path(poll)).content.decode()
    assert "是否同意在三号楼加装电梯" in body and "是否同意加装电梯" not in body


def test_the_kept_form_carries_no_visitors_answers_or_token(make_poll, host_client, resident, make_user):
    poll = make_poll()
    first = host_client(HOST, resident)
    first_token = csrf_token(first.get(path(poll)).content.decode())
    refused = first.post(path(poll), {**VALID_ANSWERS, "lift": "不同意", "why": "", "ideas": "楼下的自行车太多了"})
    assert refused.status_code == 400 and "楼下的自行车太多了" in refused.content.decode()

    other = host_client(HOST, make_user())
    body = other.get(path(poll)).content.decode()
    assert "楼下的自行车太多了" not in body and "field-error" not in body
    assert csrf_token(body) != first_token
    assert other.post(path(poll), VALID_ANSWERS).status_code == 302  # the kept form's token is the visitor's own


def test_the_form_keeps_its_conditional_questions_css(make_poll, host_client, resident):
    poll = make_poll()
    client = host_client(HOST, resident)
    bodies = [client.get(path(poll)).content.decode() for _ in range(2)]
    assert bodies[0] == bodies[1].replace(csrf_token(bodies[1]), csrf_token(bodies[0]))
    assert "<style>" in bodies[1] and '[data-question="why"]' in bodies[1]
    assert len(questions_of(PollPage.objects.get(pk=poll.pk).questions)) == 7


def test_a_resident_without_page_permissions_costs_no_workflow_query(make_poll, host_client, resident):
    poll = make_poll()
    client = host_client(HOST, resident)
    client.get(path(poll))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path(poll)).status_code == 200
    workflow = [q["sql"] for q in captured if "wagtailcore_workflowstate" in q["sql"]]
    assert workflow == []


def test_the_blank_form_is_built_once_per_published_version(make_poll, host_client, resident, make_user, monkeypatch):
    built = []
    monkeypatch.setattr(views, "build_form_class", lambda questions: built.append(1) or build_form_class(questions))
    poll = make_poll()
    for user in (resident, make_user(), make_user()):
        assert host_client(HOST, user).get(path(poll)).status_code == 200
    assert len(built) == 1
    poll.save_revision().publish()
    host_client(HOST, resident).get(path(poll))
    assert len(built) == 2
