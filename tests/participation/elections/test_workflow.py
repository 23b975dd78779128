"""The worker's side (paper ballots, the roving ballot box, results, the second round), the homeowners'
committee with floor areas, live turnout, and the demo."""

import pytest
from django.utils import timezone

from participation.deliberations import ballots
from participation.elections import live
from participation.elections.demo import seed_demo_elections
from participation.elections.models import Election, Phase, VoterRoll
from participation.governance import registry as governance_registry

from .conftest import close, publish_list


@pytest.fixture
def worker(make_user, city):
    from portal.accounts.permissions import grant_worker_permissions

    grant_worker_permissions(city["a1"].editors_group)
    user = make_user(is_staff=True)
    user.groups.add(city["a1"].editors_group)
    return user


@pytest.fixture
def open_election(city, make_election, resident, stand):
    community = city["a1"]
    people = [resident(community, born="1970-01-01") for _ in range(3)]
    election = make_election(community, phase="voting", posts={"主任": 1})
    stand(election, "主任", people[0])
    stand(election, "主任", people[1])
    return publish_list(election), people


def paper(election, number, mark, **extra):
    post = election.posts.get()
    return {"voter_number": str(number), f"post_{post.pk}": [mark], "channel": "paper", **extra}


def test_paper_ballot_and_the_roving_box_need_a_second_worker(open_election, worker, make_user, host_client, city):
    election, people = open_election
    url = f"/admin/elections/{election.pk}/paper-ballots/"
    client = host_client("a1.localhost", worker)
    key = election.candidates.first().key
    number = election.voter_list.get(user=people[2]).number
    assert client.get(url).status_code == 200
    response = client.post(url, paper(election, number, key, channel="roving", witness=worker.username))
    assert response.status_code == 400 and not VoterRoll.objects.exists()  # no second worker
    stranger = make_user(is_staff=True)
    data = paper(election, number, key, channel="roving", witness=stranger.username, witness_password="pw-for-tests-1")
    assert client.post(url, data).status_code == 400  # not a worker of this community
    second = make_user(is_staff=True)
    second.groups.add(city["a1"].editors_group)
    data = paper(election, number, key, channel="roving", witness=second.username, witness_password="pw-for-tests-1")
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["receipt"]
    row = VoterRoll.objects.get(election=election)
    assert (row.channel, row.recorded_by, row.witnessed_by) == ("roving", worker, second)
    again = client.post(url, paper(election, number, key))
    assert again.status_code == 400  # one ballot per voter, on paper too
    outside = host_client("b1.localhost", make_user(is_staff=True))
    assert outside.get(url).status_code in (302, 403, 404)


def test_results_announced_then_a_second_round_for_the_empty_seat(open_election, worker, host_client):
    election, people = open_election
    a, b = [c.key for c in election.candidates.order_by("pk")]
    post = str(election.posts.get().pk)
    for person, mark in zip(people, (a, b, []), strict=True):
        ballots.cast_vote(election, person, {post: [mark] if mark else []})
    close(election)
    client = host_client("a1.localhost", worker)
    assert client.get(f"/admin/elections/{election.pk}/workflow/").status_code == 200
    client.post(f"/admin/elections/{election.pk}/announce/")
    election.refresh_from_db()
    assert election.results_announced_at and election.current_phase() == Phase.RESULTS
    assert election.sealed_result["posts"][0]["empty_seats"] == "1"  # 1 vote each of 3: nobody has more than half
    client.post(f"/admin/elections/{election.pk}/next-round/", {"round_kind": "second"})
    again = Election.objects.get(second_round_of=election)
    assert again.round == 2 and again.round_kind == "second" and again.rules.elected_with == "one_third"
    assert again.candidates.count() == 2 and again.voter_list.count() == election.voter_list.count()


def test_homeowners_committee_counts_owners_and_floor_area(city, make_election, resident, stand):
    community = city["a1"]
    owners = [resident(community, born="1970-01-01", homeowner=True, area=a) for a in ("100", "60", "40")]
    tenant = resident(community, born="1970-01-01")
    election = make_election(community, phase="voting", kind="homeowners", posts={"主任": 1})
    assert election.electorate == "homeowners" and election.participation == "two_thirds"
    chair = stand(election, "主任", owners[0])
    publish_list(election)
    assert not election.voter_list.filter(user=tenant).exists()
    post = str(election.posts.get().pk)
    ballots.cast_vote(election, owners[0], {post: [chair.key]})
    ballots.cast_vote(election, owners[1], {post: [chair.key]})
    result = ballots.seal(close(election)).sealed_result
    assert (result["eligible_headcount"], result["eligible_area"], result["area_voted"]) == ("3", "200.00", "160.00")
    assert [c["met"] for c in result["checks"]] == [True, True]  # 2 of 3 owners, 160 of 200 m²
    assert result["posts"][0]["rows"][0]["status"] == "elected"


def test_live_turnout_never_carries_partial_results(open_election):
    election, people = open_election
    post = str(election.posts.get().pk)
    ballots.cast_vote(election, people[0], {post: [election.candidates.first().key]})
    payload = live.turnout_payload(election)
    assert payload == {
        "event": "turnout",
        "election": election.pk,
        "voters": 1,
        "eligible": 3,
        "percent": 33.3,
        "sealed": False,
    }


def test_the_demo_has_an_open_and_a_finished_election(city):
    community = city["a1"]
    seed_demo_elections(community, "demo-pass-1")
    finished, running = Election.objects.filter(community=community).order_by("pk")
    assert finished.results_announced_at and finished.sealed_result["valid"]
    assert finished.sealed_result["empty_seats"] == "1"
    assert running.current_phase(timezone.now()) == Phase.VOTING and running.candidates.count() == 7
    assert ballots.commitment_problems(finished) == []


def test_the_self_governance_section_shows_the_committee_and_the_elections(city, host_client):
    """社区自治 lists this app's elections (open and past) and the committee the announced one made."""
    community = city["a1"]
    seed_demo_elections(community, "demo-pass-1")
    finished, running = Election.objects.filter(community=community).order_by("pk")
    elected = {
        (row["name"], post["name"])
        for post in finished.sealed_result["posts"]
        for row in post["rows"]
        if row["status"] == "elected"
    }
    assert elected
    (committee,) = governance_registry.committees(community)
    assert committee.name == finished.title and committee.kind == finished.kind
    assert {(m.name, m.post) for m in committee.members} == elected
    open_, past = governance_registry.elections(community)
    assert [e.title for e in open_] == [running.title] and [e.title for e in past] == [finished.title]
    assert governance_registry.committees(city["b1"]) == [] and governance_registry.elections(city["b1"]) == ([], [])

    page = host_client("a1.localhost").get("/governance/").content.decode()
    assert running.title in page and finished.title in page
    assert all(name in page for name, _ in elected)
