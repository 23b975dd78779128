"""Followers as residents: the portal account an openid is bound to, the link that binds one, and
downloads of what a follower sent (photos arrive as media ids)."""

from urllib.parse import urlencode

from django.urls import reverse

from .handlers import site_root
from .models import Binding


def bound_user(account, openid: str):
    binding = Binding.objects.filter(account=account, openid=openid, user__is_active=True).select_related("user")
    found = binding.first()
    return found.user if found else None


def bind_url(account, next_path: str = "/") -> str:
    """The community site's WeChat login, which binds the openid to the portal account (logging in once)."""
    return site_root(account) + reverse("wechat_auth:login") + "?" + urlencode({"next": next_path})


def download_media(account, media_id: str) -> bytes:
    """A photo (or other media) a follower sent, from WeChat's media API. Raises WeChatClientException."""
    from .client import Client

    response = Client.for_account(account).media.download(media_id)
    return response.content
