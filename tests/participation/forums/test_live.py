"""A reader connected to a thread over WebSocket hears about a reply posted through the HTTP view."""

import math
import time

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator

from participation.forums.models import Post, Thread
from participation.forums.services import create_thread
from portal.asgi import application

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def connect(thread_id, host="a1.localhost"):
    return WebsocketCommunicator(
        application,
        f"/ws/forum/thread/{thread_id}/",
        headers=[(b"host", host.encode()), (b"origin", f"http://{host}".encode())],
    )


@pytest.fixture
def thread(city, categories, make_user):
    return create_thread(
        community=city["a1"],
        category=categories["a1"],
        author=make_user("op"),
        title="直播",
        body="开始",
        state="published",
    )


def test_reader_receives_reply_posted_through_http(thread, make_user, host_client, trusted, city):
    trusted(city["a1"])
    client = host_client("a1.localhost", make_user("replier"))

    async def scenario():
        communicator = connect(thread.pk)
        connected, _ = await communicator.connect()
        assert connected
        response = await sync_to_async(client.post)(f"/forum/t/{thread.pk}/reply/", {"body": "实时回复"})
        assert response.status_code == 302
        message = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return message

    message = async_to_sync(scenario)()
    assert message == {"event": "post", "number": 2}
    fragment = client.get(f"/forum/t/{thread.pk}/after/?after=1").content.decode()
    assert "实时回复" in fragment and 'id="p2"' in fragment


def test_connection_refused_for_unknown_hidden_or_foreign_thread(thread):
    async def refused(thread_id, host="a1.localhost"):
        connected, code = await connect(thread_id, host).connect()
        return connected, code

    assert async_to_sync(refused)(999999) == (False, 4404)
    assert async_to_sync(refused)(thread.pk, "b1.localhost") == (False, 4404)
    Thread.objects.filter(pk=thread.pk).update(moderation_state="hidden")
    assert async_to_sync(refused)(thread.pk) == (False, 4404)


def test_a_burst_of_replies_is_coalesced(thread, make_user, settings):
    """Many commits in a burst reach the reader as a few messages carrying the latest number."""
    from participation.forums import services

    settings.LIVE_MAX_PUSHES_PER_SECOND = 2
    author = make_user("burst")

    async def scenario():
        communicator = connect(thread.pk)
        assert (await communicator.connect())[0]
        started = time.monotonic()
        for i in range(30):
            await sync_to_async(services.create_reply)(
                thread_id=thread.pk, author=author, body=f"{i}", state="published"
            )
        received = [await communicator.receive_json_from(timeout=5)]
        while received[-1]["number"] < 31:
            received.append(await communicator.receive_json_from(timeout=5))
        await communicator.disconnect()
        return received, time.monotonic() - started

    received, seconds = async_to_sync(scenario)()
    assert received[-1] == {"event": "post", "number": 31}
    # At most LIVE_MAX_PUSHES_PER_SECOND messages a second, the first one at once (how many of the 30
    # commits share a message depends on how fast the machine makes them; the cap does not).
    assert len(received) <= 1 + math.ceil(seconds * 2), (received, seconds)
    assert Post.objects.filter(thread=thread).count() == 31


def test_a_reader_sending_a_non_json_frame_is_closed_with_4400(thread, caplog):
    from portal.live.consumers import BAD_FRAME_REASON, CLOSE_BAD_FRAME

    async def scenario():
        communicator = connect(thread.pk)
        connected, _ = await communicator.connect()
        assert connected
        await communicator.send_to(text_data="{not json")
        closed = await communicator.receive_output(timeout=5)
        await communicator.disconnect()  # not wait(): that idles its full second for the app to end
        return closed

    assert async_to_sync(scenario)() == {"type": "websocket.close", "code": CLOSE_BAD_FRAME, "reason": BAD_FRAME_REASON}
    assert not [record for record in caplog.records if record.levelno >= 40]
