"""Plays WeChat's servers against a callback: signs, encrypts (wechatpy's own crypto), posts over
HTTP and decrypts the answer. Used by the tests and by `manage.py wechat_send` in the demo."""

import time
import uuid

import requests
from defusedxml.ElementTree import fromstring
from wechatpy.crypto import WeChatCrypto

from .callback import signature_of


def text_xml(content: str, openid="oFollower1", msg_id=None, to="gh_account") -> str:
    msg_id = msg_id or str(uuid.uuid4().int % 10**18)
    return (
        f"<xml><ToUserName><![CDATA[{to}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def event_xml(event: str, openid="oFollower1", key="", created=None) -> str:
    created = created or int(time.time())
    return (
        f"<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey></xml>"
    )


def _message(kind: str, body: str, openid: str) -> str:
    msg_id = str(uuid.uuid4().int % 10**18)
    return (
        f"<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>{body}"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )


def image_xml(media_id: str, openid="oFollower1") -> str:
    body = f"<PicUrl><![CDATA[http://mmbiz.example/{media_id}]]></PicUrl><MediaId><![CDATA[{media_id}]]></MediaId>"
    return _message("image", body, openid)


def location_xml(latitude: float, longitude: float, label: str, openid="oFollower1") -> str:
    body = (
        f"<Location_X>{latitude}</Location_X><Location_Y>{longitude}</Location_Y><Scale>15</Scale>"
        f"<Label><![CDATA[{label}]]></Label>"
    )
    return _message("location", body, openid)


def location_event_xml(latitude: float, longitude: float, openid="oFollower1") -> str:
    created = int(time.time())
    return (
        f"<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[LOCATION]]></Event>"
        f"<Latitude>{latitude}</Latitude><Longitude>{longitude}</Longitude><Precision>30</Precision></xml>"
    )


def fields_of(xml: bytes | str) -> dict:
    return {child.tag: child.text for child in fromstring(xml)}


class WeChatServer:
    """WeChat's side of one account's callback at `url`."""

    def __init__(self, url: str, token: str, aes_key: str, app_id: str):
        self.url = url
        self.token = token
        self.aes_key = aes_key
        self.app_id = app_id
        self.crypto = WeChatCrypto(token, aes_key, app_id)

    def params(self, timestamp=None, nonce="nonce123"):
        timestamp = str(timestamp if timestamp is not None else int(time.time()))
        return {"timestamp": timestamp, "nonce": nonce, "signature": signature_of(self.token, timestamp, nonce)}

    def handshake(self, echostr="echo-42", **overrides):
        params = {**self.params(), "echostr": echostr, **overrides}
        return requests.get(self.url, params=params, timeout=10)

    def post_plain(self, xml: str, params=None):
        return requests.post(self.url, params=params or self.params(), data=xml.encode(), timeout=10)

    def encrypt(self, xml: str, timestamp=None, nonce="nonce123", crypto=None):
        """(query parameters, body) as WeChat sends an encrypted message."""
        timestamp = str(timestamp if timestamp is not None else int(time.time()))
        envelope = fromstring((crypto or self.crypto).encrypt_message(xml, nonce, timestamp))
        params = {
            **self.params(timestamp, nonce),
            "encrypt_type": "aes",
            "msg_signature": envelope.findtext("MsgSignature"),
        }
        encrypt = envelope.findtext("Encrypt")
        body = f"<xml><ToUserName><![CDATA[gh_account]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        return params, body

    def post_encrypted(self, xml: str, **kwargs):
        params, body = self.encrypt(xml, **kwargs)
        return requests.post(self.url, params=params, data=body.encode(), timeout=10)

    def decrypt_reply(self, response) -> dict:
        """The reply's fields, after checking its signature and decrypting it as WeChat does."""
        envelope = fromstring(response.content)
        plaintext = self.crypto.decrypt_message(
            response.content,
            envelope.findtext("MsgSignature"),
            envelope.findtext("TimeStamp"),
            envelope.findtext("Nonce"),
        )
        return fields_of(plaintext)
