"""Live turnout over the real ASGI application: a committed ballot is pushed to watchers as a turnout,
never as a count per candidate."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator

from participation.deliberations import ballots
from portal.asgi import application

from .conftest import publish_list

HOST = "a1.localhost"
WAIT = 10  # seconds: a bound on waiting for a message, never a pause


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_ballot_pushes_the_turnout_and_nothing_else(city, make_election, resident, stand):
    community = city["a1"]
    voter, chair = resident(community, born="1970-01-01"), resident(community, born="1970-01-01")
    election = make_election(community, phase="voting", posts={"主任": 1})
    candidate = stand(election, "主任", chair)
    publish_list(election)

    async def scenario():
        communicator = WebsocketCommunicator(
            application,
            f"/ws/elections/{election.pk}/",
            headers=[(b"host", HOST.encode()), (b"origin", f"http://{HOST}".encode())],
        )
        assert (await communicator.connect())[0]
        first = await communicator.receive_json_from(timeout=WAIT)
        await sync_to_async(ballots.cast_vote)(election, voter, {str(candidate.post_id): [candidate.key]})
        second = await communicator.receive_json_from(timeout=WAIT)
        await communicator.disconnect()
        return first, second

    first, second = async_to_sync(scenario)()
    assert (first["voters"], second["voters"], second["eligible"]) == (0, 1, 2)
    assert set(second) == {"event", "election", "voters", "eligible", "percent", "sealed"}  # no counts
