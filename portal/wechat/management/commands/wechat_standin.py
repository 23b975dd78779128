"""Run the stand-in for WeChat's API (portal.wechat.standin) for the demo, with every account's app id
and secret, until interrupted. Point WECHAT_API_BASE_URL at it."""

import json

from django.core.management.base import BaseCommand

from portal.wechat.models import Account
from portal.wechat.standin import WeChatStandIn


class Command(BaseCommand):
    help = "Serve a stand-in for WeChat's API on a loopback port (default 8190) for the demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8190)

    def handle(self, *args, port, **options):
        apps = {account.app_id: account.app_secret for account in Account.objects.all()}
        standin = WeChatStandIn(apps, port=port, echo=self.show)
        self.stdout.write(f"WeChat API stand-in on {standin.url} for {len(apps)} account(s); Ctrl-C stops it.")
        try:
            standin.server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            standin.server.server_close()

    def show(self, path, data):
        """What the portal sent, as WeChat would show it to the follower."""
        if path == "/cgi-bin/message/custom/send":
            self.stdout.write(f"[to {data.get('touser')}] {data.get('text', {}).get('content', data)}")
        else:
            self.stdout.write(f"[{path}] {json.dumps(data, ensure_ascii=False)}")
