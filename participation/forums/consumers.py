from channels.db import database_sync_to_async

from portal.live.consumers import LiveGroupConsumer

from .models import Thread
from .services import thread_group


class ThreadConsumer(LiveGroupConsumer):
    """Readers of a thread hear about new posts: {"event": "post", "number": N}."""

    async def get_group(self):
        thread_id = self.scope["url_route"]["kwargs"]["thread_id"]
        host = dict(self.scope.get("headers", [])).get(b"host", b"").decode("latin-1").split(":")[0].lower()
        exists = await database_sync_to_async(
            Thread.objects.filter(pk=thread_id, community__hostname=host, moderation_state="published").exists
        )()
        return thread_group(thread_id) if exists else None
