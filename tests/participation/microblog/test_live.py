"""A reader of a community's feed hears over WebSocket of a post made through the HTTP view, and fetches it."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator

from participation.microblog.models import MicroPost
from portal.asgi import application

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def connect(host):
    return WebsocketCommunicator(
        application, "/ws/microblog/feed/", headers=[(b"host", host.encode()), (b"origin", f"http://{host}".encode())]
    )


def test_feed_readers_receive_new_posts_and_unknown_hosts_are_refused(city, make_user, host_client, trusted):
    trusted(city["a1"])
    client = host_client("a1.localhost", make_user("poster"))

    async def scenario():
        assert await connect("nowhere.localhost").connect() == (False, 4404)
        communicator = connect("a1.localhost")
        assert (await communicator.connect())[0]
        response = await sync_to_async(client.post)("/microblog/new/", {"text": "实时的一条"})
        assert response.status_code == 302
        message = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return message

    message = async_to_sync(scenario)()
    latest = MicroPost.objects.get().pk
    assert message == {"event": "post", "latest": latest}
    fragment = client.get(f"/microblog/after/?after={latest - 1}").content.decode()
    assert "实时的一条" in fragment and f'id="m{latest}"' in fragment
