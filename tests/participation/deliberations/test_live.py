"""Live tallies over WebSockets, against a real ASGI server (daphne) on loopback.

Votes go through the HTTP vote view of that same server, so the push starts where it does in
production: in the request that committed the vote.
"""

import asyncio
import http.client
import json
import math
import re
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
import websockets
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client
from websockets.exceptions import InvalidStatus

from participation.deliberations import live
from participation.deliberations.models import Ballot
from portal.asgi import application

from .conftest import close_voting

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HOST = "a1.localhost"
WAIT = 10  # seconds: a bound on waiting for a message, never a pause


class Browser:
    """One resident's cookies, talking HTTP to the real server."""

    def __init__(self, server, user=None):
        self.server, self.cookies = server, {}
        if user is not None:
            client = Client()
            client.force_login(user)
            self.cookies = {name: morsel.value for name, morsel in client.cookies.items()}

    def request(self, method, path, form=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=WAIT)
        headers = {"Host": f"{HOST}:{self.server.port}", "Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                self.cookies.update({name: morsel.value for name, morsel in SimpleCookie(header).items()})
            return response.status, response.read().decode()
        finally:
            conn.close()

    def vote_form(self, topic):
        status, page = self.request("GET", f"/deliberations/{topic.pk}/")
        assert status == 200
        return {
            "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1),
            "nonce": re.search(r'name="nonce" value="([^"]+)"', page).group(1),
        }

    def vote(self, topic, form, option_id):
        """Runs in a thread of its own while a watcher listens: HTTP only, no database."""
        return self.request("POST", f"/deliberations/{topic.pk}/vote/", {**form, "option": option_id})


def option_ids(topic) -> list[str]:
    return [str(o.pk) for o in topic.options.all()]


def watch(server, topic_id, host=HOST):
    return websockets.connect(
        f"ws://{host}:{server.port}/ws/deliberations/topic/{topic_id}/",
        host="127.0.0.1",
        origin=f"http://{host}:{server.port}",
        open_timeout=WAIT,
    )


async def receive(socket) -> dict:
    return json.loads(await asyncio.wait_for(socket.recv(), WAIT))


async def receive_until(socket, done) -> list[dict]:
    messages = [await receive(socket)]
    while not done(messages[-1]):
        messages.append(await receive(socket))
    return messages


def test_watcher_receives_the_tally_after_a_vote_through_the_http_view(asgi_server, city, make_topic, resident):
    topic = make_topic(city["a1"], secret=False)
    browser = Browser(asgi_server, resident(city["a1"], username="elise"))
    form, (first, second) = browser.vote_form(topic), option_ids(topic)

    async def scenario():
        async with watch(asgi_server, topic.pk) as socket:
            now = await receive(socket)  # the tally as it is when the watcher connects
            status, body = await asyncio.to_thread(browser.vote, topic, form, first)
            assert status == 303, body[:500]
            after = await receive_until(socket, lambda m: m["votes"] >= 1)
            return now, after[-1]

    now, after = async_to_sync(scenario)()
    assert now["votes"] == 0 and "committed_at" not in now
    assert after["event"] == "tally" and after["topic"] == topic.pk and not after["sealed"]
    assert after["counts"] == {first: 1, second: 0}
    assert abs(after["committed_at"] - time.time()) < WAIT
    assert after["eligible"] == 1 and after["leader"] == first and after["passed"] is True
    assert "html" not in after and len(json.dumps(after)) < 1000  # numbers, rendered by the page
    assert "elise" not in json.dumps(after)  # counts only, even on an open ballot


@pytest.mark.parametrize("fields", [{"secret": True}, {"secret": False, "hide_results_until_close": True}])
def test_hidden_results_leak_nothing_until_the_sealed_result(asgi_server, city, make_topic, resident, fields):
    topic = make_topic(city["a1"], **fields)
    voters = [Browser(asgi_server, resident(city["a1"], username=f"v{i}")) for i in range(2)]
    forms = [b.vote_form(topic) for b in voters]
    anonymous, against = Browser(asgi_server), option_ids(topic)[1]

    async def scenario():
        async with watch(asgi_server, topic.pk) as socket:
            for browser, form in zip(voters, forms, strict=True):
                status, _ = await asyncio.to_thread(browser.vote, topic, form, against)
                assert status == 303
            await sync_to_async(close_voting)(topic)
            # Opening the page after the close seals the log; whatever reached the watcher before
            # would arrive before the sealed result on the same socket.
            status, _ = await asyncio.to_thread(anonymous.request, "GET", f"/deliberations/{topic.pk}/")
            assert status == 200
            return await receive(socket)

    first = async_to_sync(scenario)()
    assert first["sealed"] is True and first["votes"] == 2
    assert first["counts"][against] == 2
    assert first["leader"] == against and [c["rule"] for c in first["checks"]]


def test_a_burst_of_votes_is_coalesced_and_the_last_message_is_the_final_tally(
    asgi_server, city, make_topic, resident, settings
):
    settings.LIVE_MAX_PUSHES_PER_SECOND = 2
    topic = make_topic(city["a1"], secret=False)
    voters = [Browser(asgi_server, resident(city["a1"], username=f"burst{i}")) for i in range(12)]
    forms, options = [b.vote_form(topic) for b in voters], option_ids(topic)

    async def scenario():
        async with watch(asgi_server, topic.pk) as socket:
            await receive(socket)  # the tally on connecting
            started = time.monotonic()
            for i, (browser, form) in enumerate(zip(voters, forms, strict=True)):
                status, _ = await asyncio.to_thread(browser.vote, topic, form, options[i % 3 % 2])
                assert status == 303
            received = await receive_until(socket, lambda m: m["votes"] == len(voters))
            return received, time.monotonic() - started

    received, seconds = async_to_sync(scenario)()
    final = {str(o.pk): Ballot.objects.filter(topic=topic, option=o).count() for o in topic.options.all()}
    assert received[-1]["counts"] == final and sum(final.values()) == 12
    assert [m["votes"] for m in received] == sorted(m["votes"] for m in received)  # never an older tally
    assert len(received) < len(voters)
    assert len(received) <= 1 + math.ceil(seconds * 2), (len(received), seconds)


def test_unknown_topic_and_another_communitys_host_are_refused(asgi_server, city, make_topic):
    topic = make_topic(city["a1"], secret=False)

    async def refused(topic_id, host=HOST):
        with pytest.raises(InvalidStatus) as error:
            async with watch(asgi_server, topic_id, host):
                pass
        return error.value.response.status_code

    assert async_to_sync(refused)(999999) == 403
    assert async_to_sync(refused)(topic.pk, "b1.localhost") == 403

    async def accepted():
        async with watch(asgi_server, topic.pk) as socket:
            return (await receive(socket))["votes"]

    assert async_to_sync(accepted)() == 0


def test_a_watcher_never_gets_an_older_tally_after_a_newer_one(city, make_topic, settings):
    """Two server processes may push out of order: the consumer keeps the newest by its marker."""
    settings.LIVE_MAX_PUSHES_PER_SECOND = 1
    topic = make_topic(city["a1"], secret=False)
    group = live.topic_group(topic.pk)

    def tally(votes, sealed=False):
        return {"type": "live.update", "payload": {"event": "tally", "votes": votes, "sealed": sealed}}

    async def scenario():
        communicator = WebsocketCommunicator(
            application,
            f"/ws/deliberations/topic/{topic.pk}/",
            headers=[(b"host", HOST.encode()), (b"origin", f"http://{HOST}".encode())],
        )
        assert (await communicator.connect())[0]
        assert (await communicator.receive_json_from(timeout=WAIT))["votes"] == 0
        layer = get_channel_layer()
        for message in (tally(5), tally(3), tally(4), tally(5, sealed=True), tally(6)):
            await layer.group_send(group, message)
        received = [await communicator.receive_json_from(timeout=WAIT)]
        while not received[-1]["sealed"]:
            received.append(await communicator.receive_json_from(timeout=WAIT))
        await communicator.disconnect()
        return received

    received = async_to_sync(scenario)()
    assert [(m["votes"], m["sealed"]) for m in received] in ([(5, True)], [(5, False), (5, True)])
