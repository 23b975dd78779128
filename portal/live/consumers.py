"""A base WebSocket consumer that joins one group and forwards its updates, coalesced."""

import asyncio
import time

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

CLOSE_NOT_FOUND = 4404


def min_interval() -> float:
    """Seconds between two messages to one client: settings.LIVE_MAX_PUSHES_PER_SECOND (default 4)."""
    return 1.0 / max(1, getattr(settings, "LIVE_MAX_PUSHES_PER_SECOND", 4))


class LiveGroupConsumer(AsyncJsonWebsocketConsumer):
    """Subclasses implement `get_group()`: the group to join, or None to refuse (closed with 4404).

    Updates arriving faster than the limit are merged (later keys win) and sent together when the
    interval has passed, so a burst of 100 replies reaches the browser as a handful of messages.
    """

    group = None

    async def get_group(self) -> str | None:
        raise NotImplementedError

    async def connect(self):
        self.group = await self.get_group()
        if not self.group:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self._pending = None
        self._flush_task = None
        self._last_sent = 0.0
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        task = getattr(self, "_flush_task", None)
        if task is not None:
            task.cancel()
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        """Clients only listen; anything they send is ignored."""

    def merge(self, pending: dict | None, payload: dict) -> dict | None:
        """The payload to send next, given the one waiting (or None); None drops the update.

        Later keys win by default; consumers whose payloads carry a marker keep the newest instead.
        """
        return {**(pending or {}), **payload}

    async def live_update(self, event):
        merged = self.merge(self._pending, event["payload"])
        if merged is None:
            return
        self._pending = merged
        if self._flush_task is not None:
            return
        wait = self._last_sent + min_interval() - time.monotonic()
        if wait <= 0:
            await self._flush()
        else:
            self._flush_task = asyncio.ensure_future(self._flush_later(wait))

    async def _flush_later(self, wait):
        await asyncio.sleep(wait)
        self._flush_task = None
        await self._flush()

    async def _flush(self):
        payload, self._pending = self._pending, None
        if payload is not None:
            self._last_sent = time.monotonic()
            await self.send_json(payload)
