"""`{% wechat_share %}`: on a site whose community has a WeChat service account, the small script that,
on a page opened inside WeChat (its browser says MicroMessenger), loads the JS-SDK, has the page's URL
signed and sets the page's share title, description, picture and link (a notice, a deliberation, a
poll: every page that extends base.html). The HTML is the same for every browser (pages are cached)."""

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()

JSSDK = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"


@register.simple_tag(takes_context=True)
def wechat_share(context, title="", description="", image=""):
    request = context.get("request")
    if request is None:
        return ""
    from ..models import has_service_account

    if not has_service_account(request):
        return ""
    return format_html(
        '<script src="{}" data-sdk="{}" data-config="{}" data-title="{}" data-description="{}" '
        'data-image="{}" defer></script>',
        static("themes/base/wechat-share.js"),
        JSSDK,
        reverse("wechat_auth:jssdk"),
        title,
        description,
        image,
    )
