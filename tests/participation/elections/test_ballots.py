"""Election ballots through the one ballots core: eligibility, the seat limit, write-ins, the close,
the sealed log, its verification and tampering; the pages a resident and a worker use."""

import json

import pytest
from django.core import signing
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction

from participation.deliberations import ballot_log, ballots
from participation.deliberations.ballots import RECEIPT_COOKIE, VoteRefused, cast_vote
from participation.elections import phases
from participation.elections.models import Ballot, Objection, VoterListEntry, VoterRoll
from portal.notifications.models import Notification

from .conftest import close, publish_list, tampering


@pytest.fixture
def voting(city, make_election, resident, stand):
    """An election in its voting phase: 6 voters on the list; chair 甲/乙, members 丙/丁/戊 for 2 seats."""
    community = city["a1"]
    people = [resident(community, born="1970-01-01") for _ in range(6)]
    election = make_election(community, phase="voting")
    for name, person in zip(("主任", "主任", "委员", "委员", "委员"), people, strict=False):
        stand(election, name, person)
    publish_list(election)
    posts = {p.name: str(p.pk) for p in election.posts.all()}
    keys = {c.person_id: c.key for c in election.candidates.all()}
    return {"election": election, "people": people, "posts": posts, "keys": keys}


def choose(v, chair=(), members=()):
    return {v["posts"]["主任"]: list(chair), v["posts"]["委员"]: list(members)}


def c(v, i):
    return v["keys"][v["people"][i].pk]


def test_the_voter_list_is_drawn_from_verified_adult_memberships(city, make_election, resident):
    community = city["a1"]
    adult, child = resident(community, born="1980-05-05"), resident(community, born="2015-01-01")
    resident(city["b1"], born="1980-05-05")  # another community
    election = publish_list(make_election(community, phase="voter_list"))
    listed = set(VoterListEntry.objects.filter(election=election).values_list("user_id", flat=True))
    assert listed == {adult.pk}
    assert child.pk not in listed


def test_a_ballot_is_stored_with_a_receipt_and_the_roll_apart(voting):
    v = voting
    receipt = cast_vote(v["election"], v["people"][0], choose(v, [c(v, 0)], [c(v, 2), c(v, 3)]))
    ballot = Ballot.objects.get(election=v["election"])
    assert ballot.receipt_hash == ballot_log.receipt_hash(receipt)
    assert ballot.choices == {v["posts"]["主任"]: [c(v, 0)], v["posts"]["委员"]: sorted([c(v, 2), c(v, 3)])}
    assert VoterRoll.objects.get(election=v["election"]).voter_key == f"user:{v['people'][0].pk}"
    with pytest.raises(VoteRefused, match="already been recorded"):
        cast_vote(v["election"], v["people"][0], choose(v, [c(v, 1)]))


def test_a_ballot_over_the_seat_limit_is_stored_and_invalid_for_that_post_only(voting):
    v = voting
    over = choose(v, [c(v, 0)], [c(v, 2), c(v, 3), c(v, 4)])  # three marks for two seats
    cast_vote(v["election"], v["people"][0], over)
    for person in v["people"][1:5]:
        cast_vote(v["election"], person, choose(v, [c(v, 0)], [c(v, 2)]))
    election = ballots.seal(close(v["election"]))
    chair, members = election.sealed_result["posts"]
    assert (chair["valid"], chair["invalid"]) == ("5", "0")
    assert (members["valid"], members["invalid"]) == ("4", "1")
    assert next(r for r in chair["rows"] if r["key"] == c(v, 0))["votes"] == "5"
    assert next(r for r in members["rows"] if r["key"] == c(v, 3))["votes"] == "0"


@pytest.mark.parametrize(
    "members,write_in,refused",
    [
        ((2, 3, 4), "", True),  # three candidates for two seats
        ((2, 3), "6", True),  # two candidates and a write-in
        ((2,), "6", False),  # one and a write-in: two marks
        ((2, 3, 4), "", False),  # ... with "abstain" ticked: an abstention, not three marks
    ],
)
def test_the_online_ballot_refuses_more_marks_than_seats(voting, host_client, members, write_in, refused):
    """Online, an over-limit ballot is sent back with a clear message and nothing is stored (a paper ballot
    is recorded as marked, and counted invalid for that post: above)."""
    v = voting
    election = v["election"]
    client = host_client("a1.localhost", v["people"][0])
    nonce = client.get(f"/elections/{election.pk}/").context["ballot_form"].initial["nonce"]
    post = v["posts"]["委员"]
    data = {"nonce": nonce, f"post_{post}": [c(v, i) for i in members], f"write_in_{post}": write_in}
    if not refused and not write_in:
        data[f"abstain_{post}"] = "on"
    response = client.post(f"/elections/{election.pk}/vote/", data)
    stored = VoterRoll.objects.filter(election=election).exists()
    if refused:
        assert response.status_code == 400 and not stored
        assert "委员 只有 2 个名额，您选了 3 人：最多只能选 2 人。" in response.content.decode()
    else:
        assert response.status_code in (200, 303) and stored


def test_a_write_in_must_be_an_eligible_person_on_the_list(voting, resident, city):
    v = voting
    outsider = resident(city["b1"])
    with pytest.raises(VoteRefused, match="not an eligible person"):
        cast_vote(v["election"], v["people"][0], choose(v, [], ["w:999"]))
    assert not VoterRoll.objects.filter(election=v["election"]).exists()
    assert outsider.pk not in set(v["election"].voter_list.values_list("user_id", flat=True))
    number = v["election"].voter_list.get(user=v["people"][5]).number
    cast_vote(v["election"], v["people"][0], choose(v, [], [f"w:{number}"]))
    assert Ballot.objects.get(election=v["election"]).choices[v["posts"]["委员"]] == [f"w:{number}"]


def test_a_candidate_of_another_post_or_election_is_refused(voting):
    v = voting
    with pytest.raises(VoteRefused, match="Choose among the candidates"):
        cast_vote(v["election"], v["people"][0], choose(v, [c(v, 2)]))  # a member candidate for chair
    with pytest.raises(VoteRefused, match="another election"):
        cast_vote(v["election"], v["people"][0], {"999999": ["c:1"]})


def test_a_ballot_after_the_close_is_refused(voting):
    v = voting
    election = close(v["election"])
    with pytest.raises(VoteRefused, match="not open"):
        cast_vote(election, v["people"][0], choose(v, [c(v, 0)]))
    assert not Ballot.objects.filter(election=election).exists()


def test_someone_off_the_list_cannot_vote(voting, resident, city):
    v = voting
    late = resident(city["a1"], born="1970-01-01")  # verified after the list was published
    with pytest.raises(VoteRefused, match="not on the voter list"):
        cast_vote(v["election"], late, choose(v, [c(v, 0)]))


def test_sealed_log_verifies_and_a_tampered_row_is_detected(voting):
    v = voting
    receipts = [cast_vote(v["election"], p, choose(v, [c(v, 0)], [c(v, 2)])) for p in v["people"][:4]]
    election = ballots.seal(close(v["election"]))
    document = ballots.document(election)
    problems, recount = ballot_log.verify(document)
    assert problems == [] and recount == election.sealed_result
    assert ballots.commitment_problems(election) == []
    call_command("verify_ballots", "--election", str(election.pk))

    with pytest.raises(DatabaseError), transaction.atomic():  # append-only
        Ballot.objects.filter(election=election).update(choices={})

    ballot = Ballot.objects.get(receipt_hash=ballot_log.receipt_hash(receipts[0]))
    with transaction.atomic(), tampering():
        Ballot.objects.filter(pk=ballot.pk).update(choices={v["posts"]["主任"]: [c(v, 1)], v["posts"]["委员"]: []})
    assert any("changed outside the vote path" in p for p in ballots.commitment_problems(election))
    problems, _recount = ballot_log.verify(ballots.document(election))
    assert any("does not match its hash" in p for p in problems)
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("verify_ballots", "--election", str(election.pk))


def test_a_tampered_downloaded_log_is_detected(voting, tmp_path):
    v = voting
    for person in v["people"][:3]:
        cast_vote(v["election"], person, choose(v, [c(v, 0)]))
    election = ballots.seal(close(v["election"]))
    document = ballots.document(election)
    document["entries"][1]["choices"][v["posts"]["主任"]] = [c(v, 1)]
    path = tmp_path / "election.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("verify_ballots", "--file", str(path))


def test_pages_vote_results_and_verify(voting, host_client):
    v = voting
    election = v["election"]
    client = host_client("a1.localhost", v["people"][0])
    page = client.get(f"/elections/{election.pk}/")
    assert page.status_code == 200
    nonce = page.context["ballot_form"].initial["nonce"]
    chair, members = v["posts"]["主任"], v["posts"]["委员"]
    response = client.post(
        f"/elections/{election.pk}/vote/",
        {"nonce": nonce, f"post_{chair}": [c(v, 0)], f"post_{members}": [c(v, 2)], f"write_in_{members}": "6"},
    )
    assert response.status_code == 303 and response["Location"] == f"/elections/{election.pk}/receipt/"
    assert response.cookies[RECEIPT_COOKIE]["path"] == response["Location"]
    shown = client.get(response["Location"])
    receipt = shown.context["receipt"]
    assert shown.status_code == 200 and receipt and receipt in shown.content.decode()
    assert shown["Cache-Control"] == "no-store" and receipt not in response["Location"]
    reload = client.get(response["Location"])  # shown once
    assert reload.status_code == 200 and reload.context["receipt"] is None
    assert receipt not in reload.content.decode() and f"/elections/{election.pk}/verify/" in reload.content.decode()
    assert host_client("a1.localhost").get(f"/elections/{election.pk}/results/").status_code == 404  # never early
    for person in v["people"][1:4]:
        cast_vote(election, person, choose(v, [c(v, 0)], [c(v, 2)]))
    close(election)
    anonymous = host_client("a1.localhost")
    results = anonymous.get(f"/elections/{election.pk}/results/")
    assert results.status_code == 200
    assert results.context["results"]["ballots"] == "4"
    verify = anonymous.get(f"/elections/{election.pk}/verify/", {"receipt": receipt})
    assert verify.status_code == 200 and verify.context["problems"] == [] and verify.context["found"]
    assert anonymous.get(f"/elections/{election.pk}/ballots.json").status_code == 200
    assert host_client("b1.localhost").get(f"/elections/{election.pk}/").status_code == 404


def test_objection_upheld_adds_the_resident_and_tells_them(city, make_election, resident, make_user):
    community = city["a1"]
    resident(community, born="1970-01-01")
    election = publish_list(make_election(community, phase="voter_list"))
    late = resident(community, born="1970-01-01")
    objection = phases.raise_objection(election, late, Objection.Kind.MISSING, "我已登记，但不在名单上")
    worker = make_user(is_staff=True)
    phases.resolve_objection(objection, worker, Objection.Status.UPHELD, "已补登")
    assert VoterListEntry.objects.filter(election=election, user=late, struck=False).exists()
    assert Notification.objects.filter(recipient=late, verb="elections.objection").exists()


def test_nomination_needs_co_signers_then_acceptance(city, make_election, resident, django_capture_on_commit_callbacks):
    community = city["a1"]
    people = [resident(community, born="1970-01-01") for _ in range(4)]
    election = publish_list(make_election(community, phase="nomination", cosigners_needed=2))
    post = election.posts.get(name="主任")
    number = election.voter_list.get(user=people[1]).number
    candidate = phases.nominate(election, post, people[0], number)
    assert candidate.status == "collecting"
    with pytest.raises(phases.Refused):
        phases.support(candidate, people[0])  # the proposer does not co-sign
    phases.support(candidate, people[2])
    with django_capture_on_commit_callbacks(execute=True):  # the nominee is told once it is committed
        assert phases.support(candidate, people[3]) == 2
    candidate.refresh_from_db()
    assert candidate.status == "nominated"
    assert Notification.objects.filter(recipient=people[1], verb="elections.nominated").exists()
    phases.answer_nomination(candidate, people[1], True, "为邻里服务")
    candidate.refresh_from_db()
    assert candidate.status == "accepted" and candidate.statement == "为邻里服务"
    assert post in phases.uncontested_posts(election)  # one candidate for one seat: the admin warns


def test_the_electorate_is_told_at_each_phase(city, make_election, resident, django_capture_on_commit_callbacks):
    community = city["a1"]
    people = [resident(community, born="1970-01-01") for _ in range(2)]
    election = make_election(community, phase="voter_list")
    with django_capture_on_commit_callbacks(execute=True):
        phases.advance(election)
        phases.advance(election)  # once per phase
    assert Notification.objects.filter(verb="elections.phase").count() == 2
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {p.pk for p in people}


def test_an_election_receipt_cookie_shows_nothing_to_another_voter_or_on_a_topic(voting, host_client, make_topic, city):
    v = voting
    election = v["election"]
    client = host_client("a1.localhost", v["people"][0])
    nonce = client.get(f"/elections/{election.pk}/").context["ballot_form"].initial["nonce"]
    chair = v["posts"]["主任"]
    response = client.post(f"/elections/{election.pk}/vote/", {"nonce": nonce, f"post_{chair}": [c(v, 0)]})
    assert response.status_code == 303
    value = response.cookies[RECEIPT_COOKIE].value
    other = host_client("a1.localhost", v["people"][1])
    other.cookies[RECEIPT_COOKIE] = value
    assert other.get(f"/elections/{election.pk}/receipt/").context["receipt"] is None
    # A cookie signed for an election, naming a deliberation topic: another box's cookie is not valid there.
    topic = make_topic(city["a1"])
    signer = signing.get_cookie_signer(salt=RECEIPT_COOKIE + "ballots.receipt.election")
    client.cookies[RECEIPT_COOKIE] = signer.sign(f"{topic.pk}:{v['people'][0].pk}:AAAA-BBBB-CCCC-DDDD-EEEE")
    assert client.get(f"/deliberations/{topic.pk}/receipt/").context["receipt"] is None
    signer = signing.get_cookie_signer(salt=RECEIPT_COOKIE + "ballots.receipt.topic")  # the topic's own: shown
    client.cookies[RECEIPT_COOKIE] = signer.sign(f"{topic.pk}:{v['people'][0].pk}:AAAA-BBBB-CCCC-DDDD-EEEE")
    assert client.get(f"/deliberations/{topic.pk}/receipt/").context["receipt"] == "AAAA-BBBB-CCCC-DDDD-EEEE"
    client.cookies[RECEIPT_COOKIE] = value
    assert client.get(f"/elections/{election.pk}/receipt/").context["receipt"]


def test_a_refused_election_ballot_hands_no_receipt(voting, host_client):
    v = voting
    election = v["election"]
    anonymous = host_client("a1.localhost").post(f"/elections/{election.pk}/vote/", {"nonce": "x"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert RECEIPT_COOKIE not in anonymous.cookies
    client = host_client("a1.localhost", v["people"][0])
    replay = client.post(
        f"/elections/{election.pk}/vote/", {"nonce": "not-issued", f"post_{v['posts']['主任']}": [c(v, 0)]}
    )
    assert replay.status_code == 409 and RECEIPT_COOKIE not in replay.cookies
