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
