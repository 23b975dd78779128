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
        if self.relay is not None:
            await self.relay.catch_up(self, await database_sync_to_async(self.tally_now)())

    def tally_now(self):
        """Like the page: a topic whose voting has ended is sealed before anything is shown.

        When the tally last sent to this process's watchers is still current (one COUNT says so),
        it is reused: a thousand watchers connecting at once do not render it a thousand times.
        """
        topic = ballots.seal_if_due(self.topic)
        if not topic.results_visible():
            return None
        last = self.relay.last_sent
        if last is not None and live.marker(last) == (bool(topic.sealed_at), topic.ballots.count()):
            return last
        return live.tally_payload(topic)

    @staticmethod
    def merge(pending, last_sent, payload):
        """Keep the newest tally (see live.marker); drop one no newer than what is waiting or was sent."""
        known = [p for p in (pending, last_sent) if p is not None]
        if known and live.marker(payload) <= max(live.marker(p) for p in known):
            return pending
        return payload
