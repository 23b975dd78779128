"""The run-off (决选), end to end: a tie for the last seat, the worker opens the run-off in the admin,
the residents vote among the tied on the site, the results page and the self-governance section show
who was finally elected."""

from datetime import timedelta

import pytest
from django.utils import timezone

from participation.deliberations import ballots
from participation.elections import phases
from participation.elections.models import Election, VoterRoll
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
def tied(city, make_election, resident, stand):
    """Five voters, two seats of 委员, three candidates: 甲 4 votes, 乙 and 丙 3 each (all above half)."""
    community = city["a1"]
    people = [resident(community, born="1970-01-01") for _ in range(5)]
    election = make_election(community, phase="voting", posts={"委员": 2})
    a, b, c = (stand(election, "委员", person) for person in people[:3])
    publish_list(election)
    post = str(election.posts.get().pk)
    for person, marks in zip(people, ([a, b], [a, b], [a, c], [a, c], [b, c]), strict=True):
        ballots.cast_vote(election, person, {post: [m.key for m in marks]})
    return close(election), people, (a, b, c)


def workflow(client, election):
    return client.get(f"/admin/elections/{election.pk}/workflow/")


def test_a_tie_for_the_last_seat_is_decided_by_a_runoff(tied, worker, host_client, city):
    election, people, (a, b, c) = tied
    admin = host_client("a1.localhost", worker)
    assert workflow(admin, election).status_code == 200  # seals the log on the way
    admin.post(f"/admin/elections/{election.pk}/announce/")
    election.refresh_from_db()
    assert election.sealed_result["runoffs"] == [
        {"post": str(election.posts.get().pk), "name": "委员", "seats": "1", "candidates": sorted([b.key, c.key])}
    ]
    page = workflow(admin, election).content.decode()
    assert 'name="round_kind" value="runoff"' in page and 'value="second"' not in page  # no empty seat

    # No second round where every seat is filled or tied; a bad kind is a 400, not a 500.
    second = admin.post(f"/admin/elections/{election.pk}/next-round/", {"round_kind": "second"})
    assert second.status_code == 302 and not election.second_rounds.exists()
    assert admin.post(f"/admin/elections/{election.pk}/next-round/", {"round_kind": "third"}).status_code == 400

    response = admin.post(f"/admin/elections/{election.pk}/next-round/", {"round_kind": "runoff"})
    runoff = Election.objects.get(second_round_of=election)
    assert response.status_code == 302 and response["Location"].endswith(f"/{runoff.pk}/")
    assert (runoff.round_kind, runoff.is_runoff) == ("runoff", True) and runoff.title.startswith(election.title)
    (post,) = runoff.posts.all()
    assert (post.name, post.seats) == ("委员", 1)
    assert sorted(runoff.candidates.values_list("person", flat=True)) == sorted([b.person_id, c.person_id])
    assert list(runoff.voter_list.values_list("number", "user")) == list(
        election.voter_list.values_list("number", "user")
    )
    admin.post(f"/admin/elections/{election.pk}/next-round/", {"round_kind": "runoff"})
    assert election.second_rounds.count() == 1  # once

    # The worker sets the run-off's voting dates; the residents vote among the tied only.
    now = timezone.now()
    Election.objects.filter(pk=runoff.pk).update(
        voting_starts=now - timedelta(minutes=1), voting_ends=now + timedelta(hours=2)
    )
    runoff.refresh_from_db()
    by_person = {cand.person_id: cand for cand in runoff.candidates.all()}
    new_b, new_c = by_person[b.person_id], by_person[c.person_id]
    resident = host_client("a1.localhost", people[0])
    page = resident.get(f"/elections/{runoff.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and f'value="{new_b.key}"' in body and f'value="{new_c.key}"' in body
    assert f'value="{a.key}"' not in body and "选票上只列出争取最后名额、票数相等的候选人" in body
    assert page.context["ballot_form"] is not None and f"write_in_{post.pk}" not in page.context["ballot_form"].fields
    with pytest.raises(ballots.VoteRefused):
        ballots.cast_vote(runoff, people[4], {str(post.pk): ["w:1"]})  # nobody is written in (另选他人)
    for person, choice in zip(people, (new_b, new_b, new_c, new_b), strict=False):
        client = host_client("a1.localhost", person)
        nonce = client.get(f"/elections/{runoff.pk}/").context["ballot_form"].initial["nonce"]
        cast = client.post(f"/elections/{runoff.pk}/vote/", {"nonce": nonce, f"post_{post.pk}": choice.key})
        assert cast.status_code in (200, 303)
    assert VoterRoll.objects.filter(election=runoff).count() == 4

    close(runoff)
    assert workflow(admin, runoff).status_code == 200
    admin.post(f"/admin/elections/{runoff.pk}/announce/")
    runoff.refresh_from_db()
    rows = {r["key"]: r for r in runoff.sealed_result["posts"][0]["rows"]}
    assert (rows[new_b.key]["status"], rows[new_b.key]["votes"]) == ("elected", "3")
    assert (rows[new_c.key]["status"], rows[new_c.key]["reason"]) == ("not_elected", "outvoted")

    # The results pages show the run-off and the final committee.
    final = phases.final_result(election)
    assert [(m["name"], m["round_kind"]) for m in final["posts"][0]["members"]] == [
        (a.person.public_name, "first"),
        (b.person.public_name, "runoff"),
    ]
    assert final["pending"] == []
    for pk in (election.pk, runoff.pk):
        results = host_client("a1.localhost").get(f"/elections/{pk}/results/").content.decode()
        assert "最终当选" in results and "决选当选" in results  # the site speaks Chinese
        assert f"/elections/{runoff.pk if pk == election.pk else election.pk}/" in results
    first = host_client("a1.localhost").get(f"/elections/{election.pk}/results/").content.decode()
    assert "票数相等，争取 1 个名额" in first and c.person.public_name in first

    # The self-governance section takes the final result.
    (committee,) = governance_registry.committees(city["a1"])
    assert committee.name == election.title
    assert [(m.name, m.post) for m in committee.members] == [
        (a.person.public_name, "委员"),
        (b.person.public_name, "委员"),
    ]


def test_until_the_runoff_is_announced_the_committee_is_incomplete(tied, worker, host_client, city):
    election, _people, (a, _b, _c) = tied
    election = phases.advance(election)
    phases.announce_results(election)
    runoff = phases.next_round(election, Election.RoundKind.RUNOFF, worker)
    final = phases.final_result(runoff)  # from any round of the election
    assert [m["name"] for m in final["posts"][0]["members"]] == [a.person.public_name]
    assert final["pending"] == [runoff]
    page = host_client("a1.localhost").get(f"/elections/{election.pk}/results/").content.decode()
    assert "尚有 1 轮结果未公告" in page
    (committee,) = governance_registry.committees(city["a1"])
    assert [m.name for m in committee.members] == [a.person.public_name]


def test_a_runoff_or_second_round_follows_an_earlier_round(city, make_election):
    from django.core.exceptions import ValidationError

    first = make_election(city["a1"], phase="announcement")
    with pytest.raises(ValidationError):
        Election(**{**_fields(first), "round_kind": "runoff"}).full_clean(exclude=["posts"])
    with pytest.raises(ValidationError):
        Election(**{**_fields(first), "second_round_of": first}).full_clean()


def _fields(election):
    names = ("community", "kind", "title", "announcement", "announced_at", "voter_list_from", "nominations_from")
    names += ("acceptance_from", "candidates_from", "voting_starts", "voting_ends")
    return {name: getattr(election, name) for name in names}
