"""JS-SDK signatures for pages opened inside WeChat (the share title, picture and link of a notice, a
deliberation, a poll): the jsapi ticket is fetched through the API (shared in the cache like the access
token) and each page's URL signed with it. The page's script asks `jssdk/?url=<its URL>`."""

import secrets
import time

from django.core.cache import cache
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _
from wechatpy.exceptions import WeChatClientException

from .client import Client
from .oauth import site_account

TICKET_MARGIN_SECONDS = 300


def ticket(account) -> str:
    key = f"wechat:jsapi:{account.app_id}"
    found = cache.get(key)
    if found:
        return found
    result = Client.for_account(account).jsapi.get_ticket()
    cache.set(key, result["ticket"], max(60, int(result.get("expires_in", 7200)) - TICKET_MARGIN_SECONDS))
    return result["ticket"]


def signature(account, url: str) -> dict:
    client = Client.for_account(account)
    nonce, timestamp = secrets.token_hex(8), int(time.time())
    signed = client.jsapi.get_jsapi_signature(nonce, ticket(account), timestamp, url)
    return {"appId": account.app_id, "timestamp": timestamp, "nonceStr": nonce, "signature": signed}


def config(request):
    """`wx.config` for `url` (a page of this site, without its #fragment)."""
    url = request.GET.get("url", "").split("#", 1)[0]
    origin = request.build_absolute_uri("/")
    if not url.startswith(origin) or len(url) > 2000:
        return HttpResponseBadRequest(_("Only pages of this site are signed."))
    try:
        account = site_account(request)
    except Http404:
        return JsonResponse({}, status=404)
    try:
        return JsonResponse(signature(account, url))
    except WeChatClientException:
        return JsonResponse({}, status=503)
