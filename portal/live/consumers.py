"""A base WebSocket consumer that watches one group and forwards its updates, coalesced."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import relay

CLOSE_NOT_FOUND = 4404


class LiveGroupConsumer(AsyncJsonWebsocketConsumer):
    """Subclasses implement `get_group()`: the group to join, or None to refuse (closed with 4404).

    Updates arriving faster than settings.LIVE_MAX_PUSHES_PER_SECOND are merged (`merge`) and sent
    together when the interval has passed, so a burst of 100 replies reaches the browser as a
    handful of messages. The watchers of a group in one process share one subscription (relay.py).
    """

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
        self.relay = await relay.join(self.channel_layer, self.group, self, merge=self.merge)

    async def disconnect(self, code):
        if self.group:
            await relay.leave(self.group, self)

    async def receive_json(self, content, **kwargs):
        """Clients only listen; anything they send is ignored."""
