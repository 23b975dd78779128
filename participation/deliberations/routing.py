from django.urls import path

from .consumers import TopicConsumer

websocket_urlpatterns = [
    path("ws/deliberations/topic/<id:topic_id>/", TopicConsumer.as_asgi()),
]
