from channels.generic.websocket import JsonWebsocketConsumer

from portal.live.consumers import BAD_FRAME_REASON, CLOSE_BAD_FRAME, read_frame


class HealthConsumer(JsonWebsocketConsumer):
    """Answers a ping so a load balancer or a test can see /ws/ is served."""

    channel_layer_alias = None  # no channel of its own: nothing is ever sent to it

    def connect(self):
        self.accept()
        self.send_json({"status": "ok"})

    def receive(self, text_data=None, bytes_data=None, **kwargs):
        content = read_frame(text_data, bytes_data)
        if content is None:
            self.close(code=CLOSE_BAD_FRAME, reason=BAD_FRAME_REASON)
            return
        self.receive_json(content, **kwargs)

    def receive_json(self, content, **kwargs):
        ping = content.get("ping")
        self.send_json({"status": "ok", "echo": ping if isinstance(ping, str) else None})
