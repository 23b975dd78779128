"""Poll answers given under one's name are in the data export; deleting the account unlinks them."""

from participation.polls.models import Response
from portal.accounts.rights import delete_account, personal_data

from .conftest import VALID_ANSWERS
from .test_polls import HOST, path


def test_export_and_deletion_of_poll_answers(make_poll, host_client, resident):
    poll = make_poll()
    host_client(HOST, resident).post(path(poll), VALID_ANSWERS)
    data = personal_data(resident)
    assert data["polls_answered"][0]["poll"] == poll.title
    assert {"poll": poll.title, "question": "lift", "answer": "同意"} in data["poll_answers"]

    delete_account(resident)
    response = Response.objects.get(poll=poll)
    assert response.respondent is None
    assert response.answers.count() == len(data["poll_answers"])


def test_free_text_is_stored_with_phone_id_and_door_masked(make_poll, host_client, resident):
    """Free-text answers can be published: what identifies a person is masked as it is submitted."""
    poll = make_poll()
    ideas = "请联系我13912345678，我住3号楼2单元1502室，身份证110105194912310021"
    host_client(HOST, resident).post(path(poll), {**VALID_ANSWERS, "ideas": ideas})
    stored = Response.objects.get(poll=poll).answers.get(question_key="ideas").value
    assert stored == "请联系我139****5678，我住3号楼2单元****室，身份证11**************21"
