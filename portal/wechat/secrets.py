"""Secrets of WeChat accounts (app secret, token, EncodingAESKey), encrypted at rest.

The keys come from the environment (WECHAT_SECRET_KEYS: Fernet keys, comma-separated, newest
first). MultiFernet encrypts with the first and decrypts with any, so a key is rotated by putting a
new one in front and running `manage.py wechat_account --rotate-secrets`, then dropping the old one.
Plaintext secrets are never logged: errors name the account, never the value.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Only for development and tests (DEBUG or the test settings); `check --deploy` refuses it.
DEV_KEY = "ZGV2LW9ubHktd2VjaGF0LWtleS1kby1ub3QtdXNlISE="


class SecretUnreadable(Exception):
    """The stored secret was encrypted with a key that is no longer configured."""


def configured_keys() -> list[str]:
    return [key.strip() for key in settings.WECHAT_SECRET_KEYS if key.strip()]


def _fernet() -> MultiFernet:
    keys = configured_keys()
    if not keys:
        raise ImproperlyConfigured("WECHAT_SECRET_KEYS is empty: WeChat secrets cannot be encrypted.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured("WECHAT_SECRET_KEYS holds a value that is not a Fernet key.") from error


def encrypt(plaintext: str) -> str:
    if not plaintext:
        return ""
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    if not ciphertext:
        return ""
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable("a WeChat secret was encrypted with a key that is no longer configured") from error


def rotate(ciphertext: str) -> str:
    """The same secret, encrypted with the newest key."""
    if not ciphertext:
        return ""
    return _fernet().rotate(ciphertext.encode()).decode()
