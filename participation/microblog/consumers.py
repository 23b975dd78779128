from channels.db import database_sync_to_async

from portal.live.consumers import LiveGroupConsumer

from .services import feed_group


class FeedConsumer(LiveGroupConsumer):
    """Readers of a community's feed hear of new posts: {"event": "post", "latest": id}."""

    async def get_group(self):
        from communities.regions.models import Community

        host = dict(self.scope.get("headers", [])).get(b"host", b"").decode("latin-1").split(":")[0].lower()
        community_id = await database_sync_to_async(
            Community.objects.filter(hostname=host).values_list("pk", flat=True).first
        )()
        return feed_group(community_id) if community_id else None
