"""Play WeChat's server: send a text message (or an event) to a community's callback, as WeChat would,
and print the decrypted reply. For the demo and for trying keyword replies."""

import requests
from django.core.management.base import BaseCommand, CommandError

from portal.wechat.models import Account
from portal.wechat.simulator import WeChatServer, event_xml, fields_of, text_xml


class Command(BaseCommand):
    help = "wechat_send <community-slug> <text>: post a message to the callback and print the reply."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("text", nargs="?", default="", help="the message; empty with --event")
        parser.add_argument("--event", help="send this event instead (subscribe, unsubscribe, CLICK)")
        parser.add_argument("--key", default="", help="the event's key (a menu click's key)")
        parser.add_argument("--openid", default="oDemoFollower")
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="where the portal runs (default %(default)s)"
        )

    def handle(self, *args, slug, text, event, key, openid, base_url, **options):
        account = Account.objects.filter(community__slug=slug).first()
        if account is None:
            raise CommandError(f"Community {slug!r} has no WeChat account.")
        if not event and not text:
            raise CommandError("Give a text to send, or --event.")
        server = WeChatServer(
            f"{base_url.rstrip('/')}{account.callback_path()}", account.token, account.aes_key, account.app_id
        )
        xml = event_xml(event, openid=openid, key=key) if event else text_xml(text, openid=openid)
        try:
            send = server.post_plain if account.mode == Account.Mode.PLAINTEXT else server.post_encrypted
            response = send(xml)
        except requests.RequestException as error:
            raise CommandError(f"The portal did not answer at {base_url}: {type(error).__name__}") from None
        if response.status_code != 200:
            raise CommandError(f"The callback refused the message: {response.status_code} {response.text[:200]}")
        if response.text == "success":
            self.stdout.write("(no reply)")
            return
        fields = (
            fields_of(response.content) if account.mode == Account.Mode.PLAINTEXT else server.decrypt_reply(response)
        )
        self.stdout.write(fields.get("Content") or str(fields))
