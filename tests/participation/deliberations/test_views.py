"""The community site's pages and the vote endpoint, through real requests on the community's host."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from participation.deliberations import ballot_log
from participation.deliberations.ballots import RECEIPT_COOKIE, RECEIPT_MAX_AGE
from participation.deliberations.models import Ballot, Comment, Topic, VoterRoll

from .conftest import close_voting, tampering


@pytest.fixture
def site():
    def make(user=None, host="a1.localhost"):
        client = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_login(user)
        return client

    return make


def vote_form(client, topic):
    page = client.get(f"/deliberations/{topic.pk}/")
    assert page.status_code == 200
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.content.decode())
    return nonce.group(1) if nonce else None


def option(topic, n=0):
    return str(topic.options.all()[n].pk)


def test_list_shows_only_this_communitys_topics(city, make_topic, site):
    make_topic(city["a1"], title="A1 的议题")
    make_topic(city["b1"], title="B1 的议题")
    body = site().get("/deliberations/").content.decode()
    assert "A1 的议题" in body and "B1 的议题" not in body
    assert site(host="localhost").get("/deliberations/").status_code == 404  # the city site has no deliberations


def test_topic_of_another_community_is_404(city, make_topic, site):
    topic = make_topic(city["b1"])
    assert site().get(f"/deliberations/{topic.pk}/").status_code == 404


def test_topic_page_shows_phase_and_whats_next(city, make_topic, site):
    topic = make_topic(city["a1"], phase="discussion")
    body = site().get(f"/deliberations/{topic.pk}/").content.decode()
    assert "Now: Discussion" in body and "Next: Voting from" in body
    assert 'aria-current="step"' in body and "Log in to comment" in body


def receipt_of(client, response, topic) -> str:
    """Follow a vote's 303 to the receipt page; the code it shows (once)."""
    assert response.status_code == 303 and response["Location"] == f"/deliberations/{topic.pk}/receipt/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    return re.search(r"<code>([A-Z0-9-]+)</code>", page.content.decode()).group(1)


def test_vote_through_http_gives_a_receipt_once(city, make_topic, resident, site):
    topic, voter = make_topic(city["a1"]), resident(city["a1"])
    client = site(voter)
    nonce = vote_form(client, topic)
    response = client.post(f"/deliberations/{topic.pk}/vote/", {"option": option(topic), "nonce": nonce})
    assert response.status_code == 303 and response["Cache-Control"] == "no-store"
    assert response["Location"] == f"/deliberations/{topic.pk}/receipt/"  # the code is in no URL
    assert response.content == b""
    cookie = response.cookies[RECEIPT_COOKIE]
    assert cookie["path"] == f"/deliberations/{topic.pk}/receipt/" and cookie["httponly"]
    assert cookie["samesite"] == "Lax" and cookie["max-age"] == RECEIPT_MAX_AGE <= 600
    receipt = receipt_of(client, response, topic)
    assert Ballot.objects.get(topic=topic).receipt_hash == ballot_log.receipt_hash(receipt)
    reload = client.get(f"/deliberations/{topic.pk}/receipt/")  # the page deleted the cookie: shown once
    body = reload.content.decode()
    assert reload.status_code == 200 and receipt not in body and "<code>" not in body
    assert "shown only once" in body and f"/deliberations/{topic.pk}/verify/" in body
    again = client.get(f"/deliberations/{topic.pk}/").content.decode()
    assert "is recorded" in again and receipt not in again and 'name="nonce"' not in again


def test_the_receipt_page_deletes_its_cookie(city, make_topic, resident, site):
    topic, voter = make_topic(city["a1"]), resident(city["a1"])
    client = site(voter)
    client.post(f"/deliberations/{topic.pk}/vote/", {"option": option(topic), "nonce": vote_form(client, topic)})
    page = client.get(f"/deliberations/{topic.pk}/receipt/")
    gone = page.cookies[RECEIPT_COOKIE]
    assert gone.value == "" and gone["max-age"] == 0 and gone["path"] == f"/deliberations/{topic.pk}/receipt/"
    assert RECEIPT_COOKIE not in client.get(f"/deliberations/{topic.pk}/receipt/").cookies  # nothing to delete


def handed_cookie(client, topic) -> str:
    response = client.post(
        f"/deliberations/{topic.pk}/vote/", {"option": option(topic), "nonce": vote_form(client, topic)}
    )
    assert response.status_code == 303
    return response.cookies[RECEIPT_COOKIE].value


def shows_a_code(client, topic) -> bool:
    page = client.get(f"/deliberations/{topic.pk}/receipt/")
    assert page.status_code == 200
    return "<code>" in page.content.decode()


def test_a_receipt_cookie_of_another_user_shows_nothing(city, make_topic, resident, site):
    topic = make_topic(city["a1"])
    value = handed_cookie(site(resident(city["a1"])), topic)
    other = site(resident(city["a1"]))
    other.cookies[RECEIPT_COOKIE] = value
    assert not shows_a_code(other, topic)
    anonymous = site()
    anonymous.cookies[RECEIPT_COOKIE] = value
    assert not shows_a_code(anonymous, topic)


def test_a_receipt_cookie_of_another_topic_shows_nothing(city, make_topic, resident, site):
    first, second = make_topic(city["a1"]), make_topic(city["a1"])
    client = site(resident(city["a1"]))
    value = handed_cookie(client, first)
    client.cookies[RECEIPT_COOKIE] = value  # the test client ignores the cookie's path: a browser would not send it
    assert not shows_a_code(client, second)
    client.cookies[RECEIPT_COOKIE] = value
    assert shows_a_code(client, first)


def test_a_forged_receipt_cookie_shows_nothing(city, make_topic, resident, site, settings):
    topic, voter = make_topic(city["a1"]), resident(city["a1"])
    client = site(voter)
    value = handed_cookie(client, topic)
    owner, user, rest = value.split(":", 2)
    client.cookies[RECEIPT_COOKIE] = f"{owner}:{user}:AAAA-AAAA-AAAA-AAAA-AAAA:{rest.split(':', 1)[1]}"
    assert not shows_a_code(client, topic)  # the signature covers the code
    client.cookies[RECEIPT_COOKIE] = f"{topic.pk}:{voter.pk}:AAAA-AAAA-AAAA-AAAA-AAAA"  # unsigned
    assert not shows_a_code(client, topic)
    client.cookies[RECEIPT_COOKIE] = value
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY  # signed by someone else
    assert not shows_a_code(client, topic)


def test_a_stale_receipt_cookie_shows_nothing(city, make_topic, resident, site, monkeypatch):
    from participation.deliberations import ballots

    topic = make_topic(city["a1"])
    client = site(resident(city["a1"]))
    value = handed_cookie(client, topic)
    monkeypatch.setattr(ballots, "RECEIPT_MAX_AGE", -1)  # as if the cookie were older than its life
    client.cookies[RECEIPT_COOKIE] = value
    assert not shows_a_code(client, topic)


def test_a_refused_vote_hands_no_receipt(city, make_topic, resident, site):
    topic = make_topic(city["a1"], phase="discussion")
    voter = resident(city["a1"])
    from participation.deliberations.ballots import issue_nonce

    response = site(voter).post(
        f"/deliberations/{topic.pk}/vote/", {"option": option(topic), "nonce": issue_nonce(topic, voter)}
    )
    assert response.status_code == 409 and RECEIPT_COOKIE not in response.cookies
    anonymous = site().post(f"/deliberations/{topic.pk}/vote/", {"option": option(topic), "nonce": "x"})
    assert anonymous.status_code == 302 and RECEIPT_COOKIE not in anonymous.cookies


def test_the_receipt_page_of_another_community_is_404(city, make_topic, resident, site):
    topic = make_topic(city["b1"])
    assert site(resident(city["a1"])).get(f"/deliberations/{topic.pk}/receipt/").status_code == 404


def test_a_vote_is_one_transaction_and_finds_its_site_without_a_query(city, make_topic, resident, site):
    topic, voter = make_topic(city["a1"]), resident(city["a1"])
    client = site(voter)
    data = {"option": option(topic), "nonce": vote_form(client, topic)}
    with CaptureQueriesContext(connection) as captured:
        assert client.post(f"/deliberations/{topic.pk}/vote/", data).status_code == 303
    statements = [q["sql"] for q in captured.captured_queries]
    assert not [sql for sql in statements if "wagtailcore_site" in sql]
    writes = [sql.split()[0] for sql in statements if sql.startswith(("INSERT", "UPDATE", "DELETE"))]
    # the spent nonce, the roll entry, the ballot, the running commitment: inserts only, no UPDATE
    assert writes == ["DELETE", "INSERT", "INSERT", "INSERT"]
    assert "deliberations_ballotcommitment" in [sql for sql in statements if sql.startswith("INSERT")][-1]
    assert len([sql for sql in statements if sql == "COMMIT"]) <= 1  # one commit (SQLite logs none)


def test_replayed_request_refused(city, make_topic, resident, site):
    topic, voter = make_topic(city["a1"]), resident(city["a1"])
    client = site(voter)
    data = {"option": option(topic), "nonce": vote_form(client, topic)}
    assert client.post(f"/deliberations/{topic.pk}/vote/", data).status_code == 303
    replay = client.post(f"/deliberations/{topic.pk}/vote/", data)
    assert replay.status_code == 409 and "already used" in replay.content.decode()
    assert Ballot.objects.filter(topic=topic).count() == 1


def test_second_form_cannot_vote_twice(city, make_topic, resident, site):
    topic, voter = make_topic(city["a1"]), resident(city["a1"])
    client = site(voter)
    first, second = vote_form(client, topic), vote_form(client, topic)  # two tabs
    # A fresh unspent nonce is handed out again (a view of the form writes nothing): the second tab's form is
    # a used one, refused as a replay is; with a form of its own it would be refused by the roll.
    assert first == second
    client.post(f"/deliberations/{topic.pk}/vote/", {"option": option(topic), "nonce": first})
    response = client.post(f"/deliberations/{topic.pk}/vote/", {"option": option(topic, 1), "nonce": second})
    assert response.status_code == 409 and "already used" in response.content.decode()
    from participation.deliberations.ballots import issue_nonce

    own = issue_nonce(topic, voter)
    assert own != first
    response = client.post(f"/deliberations/{topic.pk}/vote/", {"option": option(topic, 1), "nonce": own})
    assert response.status_code == 409 and "already been recorded" in response.content.decode()
    assert Ballot.objects.filter(topic=topic).count() == 1


def test_a_nonce_is_reused_only_while_fresh_and_unspent(city, make_topic, resident):

    from django.utils import timezone

    from participation.deliberations import ballots
    from participation.deliberations.models import VoteNonce

    topic, voter, other = make_topic(city["a1"]), resident(city["a1"]), resident(city["a1"])
    nonce = ballots.issue_nonce(topic, voter)
    assert ballots.issue_nonce(topic, voter) == nonce and ballots.issue_nonce(topic, other) != nonce
    VoteNonce.objects.filter(pk=nonce).update(created_at=timezone.now() - ballots.NONCE_LIFETIME * 3 / 4)
    newer = ballots.issue_nonce(topic, voter)  # the old one is past half its life: a new one, the old still valid
    assert newer != nonce and VoteNonce.objects.filter(pk=nonce).exists()
    ballots.cast_vote(topic, voter, str(topic.options.first().pk), nonce=newer)
    assert not VoteNonce.objects.filter(pk=newer).exists()


def test_vote_outside_voting_phase_refused(city, make_topic, resident, site):
    topic, voter = make_topic(city["a1"], phase="discussion"), resident(city["a1"])
    from participation.deliberations.ballots import issue_nonce

    response = site(voter).post(
        f"/deliberations/{topic.pk}/vote/", {"option": option(topic), "nonce": issue_nonce(topic, voter)}
    )
    assert response.status_code == 409 and "Voting on this topic is not open." in response.content.decode()


def test_ineligible_account_refused_with_the_reason(city, make_topic, resident, site):
    topic, voter = make_topic(city["a1"], electorate=Topic.Electorate.HOMEOWNERS), resident(city["a1"])
    resident(city["a1"], homeowner=True, area="90")
    client = site(voter)
    assert "not recorded as a homeowner" in client.get(f"/deliberations/{topic.pk}/").content.decode()
    from participation.deliberations.ballots import issue_nonce

    response = client.post(
        f"/deliberations/{topic.pk}/vote/", {"option": option(topic), "nonce": issue_nonce(topic, voter)}
    )
    assert response.status_code == 409 and "Only homeowners may vote" in response.content.decode()
    assert not VoterRoll.objects.exists()


@pytest.mark.parametrize("data", [{"option": "99999"}, {"option": "x"}, {}, {"option": "1' OR 1=1"}])
def test_unknown_option_or_incomplete_form_refused(city, make_topic, resident, site, data):
    topic, voter = make_topic(city["a1"]), resident(city["a1"])
    client = site(voter)
    response = client.post(f"/deliberations/{topic.pk}/vote/", {**data, "nonce": vote_form(client, topic)})
    assert response.status_code == 400
    assert "Choose one of the options" in response.content.decode() or "incomplete" in response.content.decode()
    assert not Ballot.objects.exists()


def test_missing_nonce_refused(city, make_topic, resident, site):
    topic = make_topic(city["a1"])
    response = site(resident(city["a1"])).post(f"/deliberations/{topic.pk}/vote/", {"option": option(topic)})
    assert response.status_code == 400 and not Ballot.objects.exists()


def test_anonymous_vote_goes_to_login_and_get_is_not_allowed(city, make_topic, resident, site):
    topic = make_topic(city["a1"])
    response = site().post(f"/deliberations/{topic.pk}/vote/", {"option": option(topic), "nonce": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert site(resident(city["a1"])).get(f"/deliberations/{topic.pk}/vote/").status_code == 405


def test_secret_ballot_hides_the_count_until_close(city, make_topic, resident, site):
    topic = make_topic(city["a1"], secret=True)
    client = site(resident(city["a1"]))
    client.post(f"/deliberations/{topic.pk}/vote/", {"option": option(topic), "nonce": vote_form(client, topic)})
    assert "Results are shown when voting closes." in site().get(f"/deliberations/{topic.pk}/").content.decode()
    assert site().get(f"/deliberations/{topic.pk}/ballots.json").status_code == 404
    close_voting(topic)
    body = site().get(f"/deliberations/{topic.pk}/").content.decode()
    assert "Simple majority met" in body and "ballots.json" in body


def test_open_ballot_shows_live_count(city, make_topic, resident, site):
    topic = make_topic(city["a1"], secret=False)
    client = site(resident(city["a1"]))
    client.post(f"/deliberations/{topic.pk}/vote/", {"option": option(topic), "nonce": vote_form(client, topic)})
    body = site().get(f"/deliberations/{topic.pk}/").content.decode()
    assert "1 voted" in body and "Simple majority met" in body


def test_published_log_download_and_verify_page(city, make_topic, resident, site):
    topic = make_topic(city["a1"])
    receipts = []
    for _ in range(3):
        client = site(resident(city["a1"]))
        response = client.post(
            f"/deliberations/{topic.pk}/vote/", {"option": option(topic), "nonce": vote_form(client, topic)}
        )
        receipts.append(receipt_of(client, response, topic))
    close_voting(topic)
    download = site().get(f"/deliberations/{topic.pk}/ballots.json")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    document = json.loads(download.content)
    assert ballot_log.verify(document)[0] == [] and len(document["entries"]) == 3
    page = site().get(f"/deliberations/{topic.pk}/verify/", {"receipt": receipts[1]}).content.decode()
    assert "is intact" in page and "counted for “For”" in page
    missing = site().get(f"/deliberations/{topic.pk}/verify/", {"receipt": "NOPE-NOPE"}).content.decode()
    assert "No ballot with this receipt code" in missing


def test_verify_page_reports_tampering(city, make_topic, resident, site):
    topic = make_topic(city["a1"])
    for _ in range(2):
        client = site(resident(city["a1"]))
        client.post(f"/deliberations/{topic.pk}/vote/", {"option": option(topic), "nonce": vote_form(client, topic)})
    close_voting(topic)
    site().get(f"/deliberations/{topic.pk}/")  # seals
    with tampering():
        Ballot.objects.filter(topic=topic, log_entry__seq=1).update(option_id=option(topic, 1))
    page = site().get(f"/deliberations/{topic.pk}/verify/")
    assert page.status_code == 200 and "NOT intact" in page.content.decode()


def test_comment_with_stance_is_escaped(city, make_topic, resident, site):
    topic = make_topic(city["a1"], phase="discussion")
    client = site(resident(city["a1"], display_name="李雷"))
    response = client.post(
        f"/deliberations/{topic.pk}/comment/", {"stance": "against", "body": "<script>alert(1)</script>太贵了"}
    )
    assert response.status_code == 302
    body = client.get(f"/deliberations/{topic.pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;太贵了" in body and "<script>alert" not in body
    assert "Against" in body and "李雷" in body
    assert Comment.objects.get().community == city["a1"]


def test_comment_refused_after_decision_and_when_invalid(city, make_topic, resident, site):
    decided, open_topic = make_topic(city["a1"], phase="decided"), make_topic(city["a1"], phase="discussion")
    client = site(resident(city["a1"]))
    assert client.post(f"/deliberations/{decided.pk}/comment/", {"stance": "for", "body": "x"}).status_code == 409
    assert client.post(f"/deliberations/{open_topic.pk}/comment/", {"stance": "maybe", "body": ""}).status_code == 400
    assert not Comment.objects.exists()


def test_no_comment_invitation_after_the_decision(city, make_topic, site):
    topic = make_topic(city["a1"], phase="decided")
    body = site().get(f"/deliberations/{topic.pk}/").content.decode()
    assert "Log in to comment" not in body and "Now: Decided" in body
