from django.urls import path

from .consumers import TurnoutConsumer

websocket_urlpatterns = [
    path("ws/elections/<id:election_id>/", TurnoutConsumer.as_asgi()),
]
