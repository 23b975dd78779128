from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.core.navigation import AccountLink


@hooks.register("register_account_menu_item")
def wechat_account_menu(request):
    return AccountLink("wechat", _("WeChat bindings"), reverse("wechat_auth:bindings"), 55)
