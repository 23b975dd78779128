"""WebSocket routes. Each app that pushes live updates adds its consumers here."""

from django.urls import path, re_path

from participation.deliberations.routing import websocket_urlpatterns as deliberation_websockets
from participation.elections.routing import websocket_urlpatterns as election_websockets
from participation.forums.routing import websocket_urlpatterns as forum_websockets
from participation.microblog.routing import websocket_urlpatterns as microblog_websockets
from portal.core.consumers import HealthConsumer
from portal.live.consumers import NotFoundConsumer

websocket_urlpatterns = [
    path("ws/health/", HealthConsumer.as_asgi()),
    *forum_websockets,
    *deliberation_websockets,
    *microblog_websockets,
    *election_websockets,
    re_path(r"", NotFoundConsumer.as_asgi()),  # last: any other path is closed with 4404, not a routing error
]
