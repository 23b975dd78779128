"""The callback WeChat's servers call: `/wechat/<community-slug>/`.

GET is the handshake of WeChat's console; POST carries messages and events, in plaintext or
encrypted (compatible and safe modes), and gets the answer in the same form. The protocol is
wechatpy's (signatures, AES, parsing, replies); what is ours is the refusal of bad input (a 4xx and
one log line, never a 500: the body and the secrets are never logged), the 5-minute window on
timestamps, and handling each message once although WeChat retries it three times.
"""

import hashlib
import hmac
import logging
import time
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from wechatpy import create_reply, parse_message
from wechatpy.crypto import PrpCrypto
from wechatpy.exceptions import InvalidAppIdException

from . import config, handlers
from .models import Account
from .secrets import SecretUnreadable

logger = logging.getLogger("portal.wechat")

SUCCESS = "success"  # what WeChat expects when there is nothing to answer


class Refused(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def signature_of(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the parts sorted and joined."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def parse_xml(body: bytes | str):
    """The XML's root, refusing entities, DTDs and anything that is not well-formed."""
    try:
        root = fromstring(body)
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise Refused(400, f"malformed XML ({type(error).__name__})") from None
    if root.tag != "xml":
        raise Refused(400, "the XML's root is not <xml>")
    return root


def read_body(request) -> bytes:
    limit = settings.WECHAT_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Refused(400, "bad Content-Length") from None
    if declared > limit:
        raise Refused(413, f"body of {declared} bytes is over {limit}")
    body = request.read(limit + 1)
    if len(body) > limit:
        raise Refused(413, f"body over {limit} bytes")
    if not body:
        raise Refused(400, "empty body")
    return body


def checked_params(request) -> tuple[str, str, str]:
    timestamp = request.GET.get("timestamp", "")
    nonce = request.GET.get("nonce", "")
    signature = request.GET.get("signature", "")
    if not (timestamp and nonce and signature):
        raise Refused(400, "signature, timestamp or nonce missing")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise Refused(400, "timestamp is not a number")
    if abs(time.time() - int(timestamp)) > settings.WECHAT_TIMESTAMP_WINDOW_SECONDS:
        raise Refused(403, "timestamp outside the allowed window")
    return timestamp, nonce, signature


def message_xml(request, account: Account, token: str, timestamp: str, nonce: str, signature: str):
    """The message's plaintext XML, and whether the answer must be encrypted."""
    body = read_body(request)
    encrypted = request.GET.get("encrypt_type", "raw") == "aes"
    if not encrypted:
        if account.mode == Account.Mode.SAFE:
            raise Refused(400, "the account is in safe mode: a plaintext message is refused")
        if not same(signature_of(token, timestamp, nonce), signature):
            raise Refused(403, "wrong signature")
        parse_xml(body)
        return body, False
    if account.mode == Account.Mode.PLAINTEXT:
        raise Refused(400, "the account is in plaintext mode: an encrypted message is refused")
    msg_signature = request.GET.get("msg_signature", "")
    encrypt = parse_xml(body).findtext("Encrypt")
    if not msg_signature or not encrypt:
        raise Refused(400, "msg_signature or <Encrypt> missing")
    if not same(signature_of(token, timestamp, nonce, encrypt), msg_signature):
        raise Refused(403, "wrong message signature")
    try:
        plaintext = PrpCrypto(aes_key_bytes(account)).decrypt(encrypt, account.app_id)
    except InvalidAppIdException:
        raise Refused(403, "message encrypted for another app id") from None
    except Exception as error:  # bad base64, padding or length: wechatpy raises several kinds
        raise Refused(400, f"cannot decrypt the message ({type(error).__name__})") from None
    parse_xml(plaintext)
    return plaintext, True


def aes_key_bytes(account: Account) -> bytes:
    import base64

    return base64.b64decode(account.aes_key + "=")


def event_key(message) -> str:
    """MsgId for messages; for events, sender + create time + event + key (WeChat gives them no id)."""
    msg_id = getattr(message, "id", None)
    if message.type != "event" and msg_id:
        return f"m{msg_id}"
    created = message._data.get("CreateTime", "")
    return (
        "e"
        + hashlib.sha1(
            "|".join(
                [
                    message.source or "",
                    str(created),
                    message.type,
                    str(getattr(message, "event", "")),
                    str(message._data.get("EventKey", "")),
                ]
            ).encode()
        ).hexdigest()
    )


def summary(message) -> str:
    """What the admin shows as the last message: its kind, never its content (it may be personal)."""
    if message.type == "event":
        return f"event: {message.event}"
    return message.type


def respond(account: Account, message, plaintext_answer: str | None, encrypted: bool, nonce: str) -> str:
    if not plaintext_answer:
        return SUCCESS
    reply = create_reply(plaintext_answer, message=message).render()
    if not encrypted:
        return reply
    from wechatpy.crypto import WeChatCrypto

    crypto = WeChatCrypto(account.token, account.aes_key, account.app_id)
    return crypto.encrypt_message(reply, nonce)


@csrf_exempt
def callback(request, slug: str):
    try:
        if request.method not in ("GET", "POST"):
            raise Refused(405, f"method {request.method}")
        account = config.account_for(slug)
        if account is None:
            raise Refused(404, "no WeChat account for this community")
        if account.missing():
            raise Refused(404, "the community's WeChat account is incomplete")
        try:
            token = account.token
        except SecretUnreadable:
            logger.error("wechat callback %s: the account's secrets cannot be decrypted with WECHAT_SECRET_KEYS", slug)
            raise Refused(503, "secrets unreadable") from None
        timestamp, nonce, signature = checked_params(request)
        if request.method == "GET":
            if not same(signature_of(token, timestamp, nonce), signature):
                raise Refused(403, "wrong signature")
            return HttpResponse(request.GET.get("echostr", ""), content_type="text/plain")
        xml, encrypted = message_xml(request, account, token, timestamp, nonce, signature)
        try:
            message = parse_message(xml)
        except Exception as error:  # xmltodict's and wechatpy's errors on well-formed but odd XML
            raise Refused(400, f"not a WeChat message ({type(error).__name__})") from None
        if not message.source:
            raise Refused(400, "the message has no sender")
        return HttpResponse(handle_once(account, message, encrypted, nonce), content_type="application/xml")
    except Refused as refusal:
        logger.warning(
            "wechat callback refused: %s (community %r, %s, from %s)",
            refusal.reason,
            slug,
            request.method,
            client_ip(request),
        )
        return HttpResponse(refusal.reason, status=refusal.status, content_type="text/plain")


def note_last_message(account: Account, message) -> None:
    """What the admin shows as the last message received, written at most once per account every
    WECHAT_LAST_MESSAGE_SECONDS: a write (and its commit) per message was a large part of a reply's cost."""
    if cache.add(f"wechat:last-message:{account.pk}", "", settings.WECHAT_LAST_MESSAGE_SECONDS):
        last = {"last_message_at": timezone.now(), "last_message": summary(message)[:200]}
        Account.objects.filter(pk=account.pk).update(**last)


def handle_once(account: Account, message, encrypted: bool, nonce: str) -> str:
    """Handle a message once; WeChat's retries of it get the first answer again (or `success` while
    the first is still being handled)."""
    key = f"wechat:seen:{account.pk}:{event_key(message)}"
    ttl = settings.WECHAT_DEDUP_SECONDS
    if not cache.add(key, "", ttl):
        answer = cache.get(key) or None
        return respond(account, message, answer, encrypted, nonce)
    note_last_message(account, message)
    try:
        answer = handlers.dispatch(account, message)
    except Exception:
        logger.exception("wechat handler failed for community %r (%s)", account.community.slug, summary(message))
        answer = None
    cache.set(key, answer or "", ttl)
    return respond(account, message, answer, encrypted, nonce)
