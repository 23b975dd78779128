"""Show a community's WeChat account, print the demo account's test credentials, or re-encrypt every
account's secrets with the newest key of WECHAT_SECRET_KEYS."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.wechat import secrets
from portal.wechat.models import Account


class Command(BaseCommand):
    help = (
        "wechat_account <community-slug> [--show-test-credentials]: the account's state; with the flag "
        "(DEBUG only) its callback URL, app id, token and EncodingAESKey as KEY=value lines. "
        "wechat_account --rotate-secrets: re-encrypt all secrets with the newest key."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?", help="the community's slug")
        parser.add_argument(
            "--show-test-credentials",
            action="store_true",
            help="print URL=, APPID=, TOKEN=, AES_KEY= (refused with DEBUG off: these are secrets)",
        )
        parser.add_argument("--rotate-secrets", action="store_true", help="re-encrypt with the newest key")

    def handle(self, *args, slug, show_test_credentials, rotate_secrets, **options):
        if rotate_secrets:
            return self.rotate()
        if not slug:
            raise CommandError("Name a community: wechat_account <community-slug>.")
        account = Account.objects.select_related("community").filter(community__slug=slug).first()
        if account is None:
            raise CommandError(f"Community {slug!r} has no WeChat account.")
        if show_test_credentials:
            if not settings.DEBUG:
                raise CommandError("--show-test-credentials prints secrets: refused with DEBUG off.")
            try:
                lines = [
                    f"URL={account.callback_url()}",
                    f"APPID={account.app_id}",
                    f"TOKEN={account.token}",
                    f"AES_KEY={account.aes_key}",
                ]
            except secrets.SecretUnreadable as error:
                raise CommandError(str(error)) from None
            self.stdout.write("\n".join(lines))
            return
        lacking = account.missing()
        self.stdout.write(
            "\n".join(
                [
                    f"{account.name} ({account.community.name}), app id {account.app_id}",
                    f"type: {account.get_kind_display()}, mode: {account.get_mode_display()}",
                    f"callback URL: {account.callback_url()}",
                    f"incomplete, lacks: {', '.join(lacking)}" if lacking else "complete",
                    f"last message: {account.last_message_at or '-'} {account.last_message}",
                    f"last API error: {account.last_error_at or '-'} {account.last_error}",
                ]
            )
        )

    def rotate(self):
        fields = ["app_secret_encrypted", "token_encrypted", "aes_key_encrypted"]
        count = 0
        try:
            with transaction.atomic():
                for account in Account.objects.select_for_update():
                    for field in fields:
                        setattr(account, field, secrets.rotate(getattr(account, field)))
                    account.save(update_fields=fields)
                    count += 1
        except Exception as error:  # InvalidToken: a secret no configured key opens
            raise CommandError(f"Nothing rotated: {type(error).__name__} (is an old key missing?)") from None
        self.stdout.write(f"Re-encrypted the secrets of {count} account(s) with the newest key.")
