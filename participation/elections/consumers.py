from channels.db import database_sync_to_async

from portal.live.consumers import LiveGroupConsumer

from . import live
from .models import Election


class TurnoutConsumer(LiveGroupConsumer):
    """Watchers of an election on its community's host get the turnout: {"event": "turnout", "voters": N, ...}."""

    async def get_group(self):
        election_id = self.scope["url_route"]["kwargs"]["election_id"]
        host = dict(self.scope.get("headers", [])).get(b"host", b"").decode("latin-1").split(":")[0].lower()
        self.election = await database_sync_to_async(
            Election.objects.filter(pk=election_id, community__hostname=host).first
        )()
        return live.election_group(election_id) if self.election else None

    async def connect(self):
        await super().connect()
        if self.relay is not None:
            await self.relay.catch_up(self, await database_sync_to_async(live.turnout_payload)(self.election))

    @staticmethod
    def merge(pending, last_sent, payload):
        known = [p for p in (pending, last_sent) if p is not None]
        if known and live.marker(payload) <= max(live.marker(p) for p in known):
            return pending
        return payload
