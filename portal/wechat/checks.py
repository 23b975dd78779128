"""System checks: the key that encrypts WeChat secrets (deploy), and accounts that cannot work yet."""

from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def secret_keys(app_configs, **kwargs):
    from django.core.exceptions import ImproperlyConfigured

    from . import secrets

    keys = secrets.configured_keys()
    if not keys or secrets.DEV_KEY in keys:
        return [
            Error(
                "WECHAT_SECRET_KEYS is not set (or holds the development key): WeChat app secrets, tokens and "
                "EncodingAESKeys would be encrypted with a key everybody knows.",
                hint='Set WECHAT_SECRET_KEYS to a key from `python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"` (newest first, comma-separated, to rotate).',
                id="wechat.E001",
            )
        ]
    try:
        secrets.encrypt("check")
    except ImproperlyConfigured as error:
        return [Error(str(error), hint="Each key is 32 url-safe base64-encoded bytes.", id="wechat.E002")]
    return []


# Reads the database, so it runs where Django runs database checks (`check --database default`,
# `migrate`), not in every `check` (which may run before a database exists).
@register(Tags.database)
def incomplete_accounts(app_configs, databases=None, **kwargs):
    if not databases:
        return []
    from .models import Account

    try:
        accounts = list(Account.objects.select_related("community").order_by("community__slug"))
    except DatabaseError:
        return []  # not migrated yet: nothing configured
    problems = []
    for account in accounts:
        lacking = account.missing()
        if lacking:
            problems.append(
                Warning(
                    f"The WeChat account of community {account.community.slug} ({account.community.name}) lacks: "
                    f"{', '.join(lacking)}. Its callback refuses every message.",
                    hint="Complete it in the admin (Settings > WeChat accounts).",
                    obj=account,
                    id="wechat.W001",
                )
            )
        elif account.kind == Account.Kind.SUBSCRIPTION:
            pass  # a subscription account simply has no template messages or OAuth: the admin says so
    return problems
