from channels.db import database_sync_to_async

from portal.live.consumers import LiveGroupConsumer

from . import ballots, live
from .models import Topic


class TopicConsumer(LiveGroupConsumer):
    """Watchers of a topic on its community's host get the tally: {"event": "tally", "votes": N, ...}.

    On connecting they get the tally as it is now (if it may be shown), so nothing committed
    between the page load and the connection is missed; after that, every committed vote and the
    sealed result, coalesced, never an older tally after a newer one.
    """

    async def get_group(self):
        topic_id = self.scope["url_route"]["kwargs"]["topic_id"]
        host = dict(self.scope.get("headers", [])).get(b"host", b"").decode("latin-1").split(":")[0].lower()
        self.topic = await database_sync_to_async(
            Topic.objects.filter(pk=topic_id, community__hostname=host).select_related("community").first
        )()
        return live.topic_group(topic_id) if self.topic else None

    async def connect(self):
        await super().connect()
        if self.group:
            payload = await database_sync_to_async(self.tally_now)()
            if payload is not None:
                await self.live_update({"payload": payload})

    def tally_now(self):
        """Like the page: a topic whose voting has ended is sealed before anything is shown."""
        return live.tally_payload(ballots.seal_if_due(self.topic))

    def merge(self, pending, payload):
        newest = max(
            (p for p in (pending, self._last_payload, payload) if p is not None), key=live.marker, default=None
        )
        if newest is not payload:
            return pending  # older than what is waiting or was already sent
        return payload

    async def _flush(self):
        if self._pending is not None:
            self._last_payload = self._pending
        await super()._flush()

    _last_payload = None
