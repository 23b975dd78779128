"""A base WebSocket consumer that watches one group and forwards its updates, coalesced; the consumer
that closes unknown /ws/ paths; and the one reading of a client frame, so a bad frame closes cleanly."""

import json

from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer

from . import relay

CLOSE_BAD_FRAME = 4400  # the 4000-4999 range is the application's (RFC 6455, 7.4.2); 4400 echoes HTTP 400
CLOSE_NOT_FOUND = 4404
BAD_FRAME_REASON = "expected a text frame holding a JSON object"
MAX_FRAME_CHARS = 64 * 1024


def read_frame(text_data=None, bytes_data=None) -> dict | None:
    """A client frame as a dict, or None when it is binary, overlong, not JSON or not a JSON object."""
    if not isinstance(text_data, str) or len(text_data) > MAX_FRAME_CHARS:
        return None
    try:
        content = json.loads(text_data)
    except (ValueError, RecursionError):
        return None
    return content if isinstance(content, dict) else None


class NotFoundConsumer(AsyncWebsocketConsumer):
    """The last WebSocket route: any other /ws/ path is refused with 4404, not a routing error."""

    channel_layer_alias = None  # no channel of its own: nothing is ever sent to it

    async def connect(self):
        await self.close(code=CLOSE_NOT_FOUND)


class LiveGroupConsumer(AsyncJsonWebsocketConsumer):
    """Subclasses implement `get_group()`: the group to join, or None to refuse (closed with 4404).

    Updates arriving faster than settings.LIVE_MAX_PUSHES_PER_SECOND are merged (`merge`) and sent
    together when the interval has passed, so a burst of 100 replies reaches the browser as a
    handful of messages. The watchers of a group in one process share one subscription (relay.py).
    """

    # A watcher needs no channel of its own (its process's relay reads the group for all of them):
    # with one, each connection held a Redis read of its own, which timed out under load (1011).
    channel_layer_alias = None
    group = None
    relay = None

    async def get_group(self) -> str | None:
        raise NotImplementedError

    @staticmethod
    def merge(pending: dict | None, last_sent: dict | None, payload: dict) -> dict | None:
        """The payload to send next, given the one waiting (or None) and the last one sent; None drops it.

        Later keys win by default; consumers whose payloads carry a marker keep the newest instead.
        """
        return relay.merge_keys(pending, last_sent, payload)

    async def connect(self):
        self.group = await self.get_group()
        if not self.group:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        await self.accept()
        self.relay = await relay.join(self.group, self, merge=self.merge)

    async def disconnect(self, code):
        if self.group:
            await relay.leave(self.group, self)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        content = read_frame(text_data, bytes_data)
        if content is None:
            await self.close(code=CLOSE_BAD_FRAME, reason=BAD_FRAME_REASON)
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs):
        """Clients only listen; anything they send is ignored."""
