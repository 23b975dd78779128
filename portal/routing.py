"""WebSocket routes. Each app that pushes live updates adds its consumers here."""

from django.urls import path

from participation.deliberations.routing import websocket_urlpatterns as deliberation_websockets
from participation.forums.routing import websocket_urlpatterns as forum_websockets
from portal.core.consumers import HealthConsumer

websocket_urlpatterns = [
    path("ws/health/", HealthConsumer.as_asgi()),
    *forum_websockets,
    *deliberation_websockets,
]
