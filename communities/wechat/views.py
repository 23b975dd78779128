"""The menu of an account: previewed from the community's navigation, pushed to WeChat by a click."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wechatpy.exceptions import WeChatClientException

from portal.wechat.client import Client
from portal.wechat.menu import build_menu
from portal.wechat.models import Account


def menu(request, pk, permission_policy):
    account = get_object_or_404(Account.objects.select_related("community__site"), pk=pk)
    if not permission_policy.user_has_permission_for_instance(request.user, "change", account):
        raise Http404  # like every scoped admin view: another community's account does not exist here
    built, omitted = build_menu(account)
    error = pushed = ""
    if request.method == "POST":
        try:
            Client.for_account(account).menu.create(built)
            pushed = _("The menu is on WeChat now.")
        except WeChatClientException as failure:  # WeChat's own words, for the worker
            error = f"{failure.errcode} {failure.errmsg}"
    context = {
        "account": account,
        "menu": built,
        "omitted": omitted,
        "error": error,
        "pushed": pushed,
        "title": _("WeChat menu"),
        "explanation": _("Built from the community site's navigation. Push it to change what followers see."),
        "error_label": _("WeChat refused the menu:"),
        "omitted_label": _("Left out (WeChat allows 3 buttons of 5 items):"),
        "push_label": _("Push the menu to WeChat"),
    }
    return TemplateResponse(request, "wechat/admin/menu.html", context)
