from django.urls import path

from .consumers import ThreadConsumer

websocket_urlpatterns = [
    path("ws/forum/thread/<id:thread_id>/", ThreadConsumer.as_asgi()),
]
