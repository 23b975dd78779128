"""One channel-layer subscription per group per server process, shared by that process's watchers.

With a consumer per watcher in the group, every push is one channel-layer message per watcher, and
the server encodes and coalesces it per watcher: 1,000 watchers of a vote meant 1,000 Redis
messages per push and measured at seconds of delay (docs/performance.md). Here the group holds one
channel per process; its relay reads each push once, coalesces for all local watchers together
(at most settings.LIVE_MAX_PUSHES_PER_SECOND messages a second), encodes once and writes the same
text to every watcher.
"""

import asyncio
import json
import logging
import time
import weakref

from channels.layers import get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)
RETRY_SECONDS = 1.0
RENEW_SECONDS = 3600  # how often a relay renews its group membership (the layer's expiry is a day)

# Per event loop: a server has one; tests run consumers in a new loop each time.
_relays: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Relay]]" = weakref.WeakKeyDictionary()


def min_interval() -> float:
    """Seconds between two messages to one watcher: settings.LIVE_MAX_PUSHES_PER_SECOND (default 6)."""
    return 1.0 / max(1, getattr(settings, "LIVE_MAX_PUSHES_PER_SECOND", 6))


def renew_seconds(layer) -> float:
    """RENEW_SECONDS, or less for a layer that forgets group members sooner (a tenth of its expiry)."""
    return min(RENEW_SECONDS, getattr(layer, "group_expiry", 86400) / 10)


def merge_keys(pending: dict | None, last_sent: dict | None, payload: dict) -> dict | None:
    """The default merge: later keys win."""
    return {**(pending or {}), **payload}


class Relay:
    def __init__(self, layer, group: str, merge=merge_keys):
        self.layer, self.group, self.merge = layer, group, merge
        self.members: set = set()
        self.channel = None
        self.pending = self.last_sent = None
        self.last_sent_at = 0.0
        self.flush_task = None
        self.ready = asyncio.Event()
        self.task = asyncio.ensure_future(self._run())
        self.renew_task = None

    async def _run(self):
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        self.renew_task = asyncio.ensure_future(self._renew())
        self.ready.set()
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except Exception:  # e.g. a Redis timeout under load: the watchers stay, the relay goes on
                logger.exception("receiving the pushes of %s failed; retrying", self.group)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            self.offer(message["payload"])

    async def _renew(self):
        """Keep the membership: the layer forgets a group's members `group_expiry` after their group_add.

        Renewed on a timer, not per watcher joining: a thousand watchers connecting at once were a
        thousand Redis writes (and past the pool's 100 connections, MaxConnectionsError: 1011).
        """
        while True:
            await asyncio.sleep(renew_seconds(self.layer))
            try:
                await self.layer.group_add(self.group, self.channel)
            except Exception:
                logger.exception("renewing the membership of %s failed; retrying", self.group)
                await asyncio.sleep(RETRY_SECONDS)

    def offer(self, payload: dict) -> None:
        """A new state for everyone: sent now, or merged into the next message when pushes come too fast."""
        merged = self.merge(self.pending, self.last_sent, payload)
        if merged is None:
            return
        self.pending = merged
        if self.flush_task is None:
            wait = max(0.0, self.last_sent_at + min_interval() - time.monotonic())
            self.flush_task = asyncio.ensure_future(self._flush_after(wait))

    async def catch_up(self, member, payload: dict | None) -> None:
        """A new watcher: the state it should start from (`payload`, as read on connecting), in order."""
        if payload is not None and self.merge(None, self.last_sent, payload) is not None:
            self.offer(payload)  # newer than what the others have: they get it too
        elif self.last_sent is not None:
            await self._send(member, json.dumps(self.last_sent))

    async def _flush_after(self, wait: float):
        """Send what is pending to every watcher, then again while more arrived during the fan-out.

        One fan-out at a time: offers arriving meanwhile are merged into the next message. (When a
        fan-out outlasted the interval, a second one used to start beside it, and a starved process
        fell further behind with every push: seconds of delay, more messages than the cap.)
        """
        try:
            while True:
                if wait > 0:
                    await asyncio.sleep(wait)
                payload, self.pending = self.pending, None
                if payload is None:
                    return
                self.last_sent, self.last_sent_at = payload, time.monotonic()
                text = json.dumps(payload)
                for member in list(self.members):
                    await self._send(member, text)
                wait = self.last_sent_at + min_interval() - time.monotonic()
        finally:
            self.flush_task = None

    async def _send(self, member, text: str) -> None:
        try:
            await member.send(text_data=text)
        except Exception:  # one broken connection must not stop the others' updates
            logger.exception("live update to one watcher of %s failed", self.group)

    async def close(self):
        tasks = [t for t in (self.task, self.renew_task, self.flush_task) if t is not None]
        for task in tasks:
            task.cancel()
        # Wait for them to end, and for the layer's clean-up of the last message read: channels_redis
        # holds a per-process lock until that clean-up is done, and a loop that ended first (a test's)
        # would leave it locked for the next loop.
        loop = asyncio.get_running_loop()
        cleaners = [c for c in getattr(self.layer, "receive_cleaners", ()) if c.get_loop() is loop]
        await asyncio.gather(*tasks, *cleaners, return_exceptions=True)
        if self.channel is not None:
            await self.layer.group_discard(self.group, self.channel)


async def join(group: str, member, merge=merge_keys, layer=None) -> "Relay":
    """Make `member` (a consumer) receive the group's pushes; returns its relay once subscribed.

    The relay reads the default channel layer (or `layer`); the watchers need none of their own.
    """
    relays = _relays.setdefault(asyncio.get_running_loop(), {})
    relay = relays.get(group)
    if relay is None or relay.task.done():
        relay = relays[group] = Relay(layer or get_channel_layer(), group, merge)
    relay.members.add(member)
    await relay.ready.wait()
    return relay


async def leave(group: str, member) -> None:
    relays = _relays.get(asyncio.get_running_loop(), {})
    relay = relays.get(group)
    if relay is None:
        return
    relay.members.discard(member)
    if not relay.members:
        del relays[group]
        await relay.close()
