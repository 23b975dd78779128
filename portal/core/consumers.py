from channels.generic.websocket import JsonWebsocketConsumer


class HealthConsumer(JsonWebsocketConsumer):
    """Answers a ping so a load balancer or a test can see /ws/ is served."""

    def connect(self):
        self.accept()
        self.send_json({"status": "ok"})

    def receive_json(self, content, **kwargs):
        self.send_json({"status": "ok", "echo": content.get("ping")})
