"""WeChat login on a community's site (OAuth web authorisation) and the binding of an openid to a
portal account.

* `login/`: `snsapi_base` (silent: WeChat only tells who it is) or, when the resident chooses to share
  their profile, `snsapi_userinfo` (`?profile=1`). A `state` is generated, kept in the session and
  checked on the way back; a missing or different one is refused (400).
* `callback/`: the code is exchanged for the openid (and unionid). A bound openid logs its resident in;
  an openid whose unionid is bound on another community's account is the same person and is bound here
  too; otherwise the openid waits in the session and `bind/` asks for the portal login (once) and binds.
  A visitor who does not bind reads everything as before.
* `bindings/`: the resident's bindings (on their account page), each removable, with the choice of
  WeChat messages; the data export lists them and account deletion removes them (privacy.py).
"""

import hmac
import logging
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Site
from wechatpy.exceptions import WeChatOAuthException
from wechatpy.oauth import WeChatOAuth

from portal.core.redirects import safe_next

from .client import api_url
from .models import Account, Binding

logger = logging.getLogger("portal.wechat")

SESSION_STATE = "wechat_oauth"
SESSION_PENDING = "wechat_pending_binding"


class OAuth(WeChatOAuth):
    """wechatpy's OAuth, pointed at WECHAT_OAUTH_BASE_URL and WECHAT_API_BASE_URL (a stand-in in tests)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.OAUTH_BASE_URL = settings.WECHAT_OAUTH_BASE_URL
        self.API_BASE_URL = api_url("/")

    def _request(self, method, url_or_endpoint, **kwargs):
        kwargs.setdefault("timeout", settings.WECHAT_API_TIMEOUT)
        return super()._request(method, url_or_endpoint, **kwargs)


def site_account(request) -> Account:
    """The WeChat service account of the community whose site this is (OAuth needs a service account)."""
    site = Site.find_for_request(request)
    community = getattr(site, "community", None) if site else None
    account = Account.objects.filter(community=community, kind=Account.Kind.SERVICE).first() if community else None
    if account is None or account.missing():
        raise Http404(_("This site has no WeChat service account to log in with."))
    return account


def callback_uri(request) -> str:
    return request.build_absolute_uri(reverse("wechat_auth:callback"))


def login(request):
    account = site_account(request)
    state = secrets.token_urlsafe(24)
    scope = "snsapi_userinfo" if request.GET.get("profile") == "1" else "snsapi_base"
    request.session[SESSION_STATE] = {"state": state, "next": safe_next(request), "scope": scope}
    oauth = OAuth(account.app_id, account.app_secret, callback_uri(request), scope=scope, state=state)
    return HttpResponseRedirect(oauth.authorize_url)


def callback(request):
    account = site_account(request)
    kept = request.session.pop(SESSION_STATE, None) or {}
    given = request.GET.get("state", "")
    if not kept.get("state") or not hmac.compare_digest(kept["state"].encode(), given.encode()):
        logger.warning("wechat oauth: state missing or wrong for %s", account.community.slug)
        return HttpResponseBadRequest(_("This WeChat login link is not valid any more. Please start again."))
    code = request.GET.get("code", "")
    if not code:
        return HttpResponseBadRequest(_("WeChat did not authorise the login."))
    oauth = OAuth(account.app_id, account.app_secret, callback_uri(request), scope=kept.get("scope", "snsapi_base"))
    try:
        token = oauth.fetch_access_token(code)
        profile = oauth.get_user_info() if kept.get("scope") == "snsapi_userinfo" else {}
    except (WeChatOAuthException, ValueError, KeyError) as error:  # WeChat's refusal, or not its JSON
        logger.warning("wechat oauth: code exchange failed for %s: %s", account.community.slug, error)
        return HttpResponseBadRequest(_("WeChat did not confirm the login. Please try again."))
    openid = token["openid"]
    unionid = token.get("unionid") or profile.get("unionid") or ""
    nickname = (profile.get("nickname") or "")[:64]
    next_url = kept.get("next") or "/"
    binding = Binding.objects.filter(account=account, openid=openid, user__is_active=True).first()
    if binding is None and unionid:  # the same person, bound on another community's account
        other = Binding.objects.filter(unionid=unionid, user__is_active=True).select_related("user").first()
        if other is not None and not Binding.objects.filter(account=account, user=other.user).exists():
            binding = Binding.objects.create(
                account=account, openid=openid, unionid=unionid, user=other.user, nickname=nickname
            )
    if binding is not None:
        if nickname and binding.nickname != nickname:
            Binding.objects.filter(pk=binding.pk).update(nickname=nickname)
        if request.user != binding.user:
            auth_login(request, binding.user, backend=settings.AUTHENTICATION_BACKENDS[0])
        return HttpResponseRedirect(next_url)
    request.session[SESSION_PENDING] = {
        "account": account.pk,
        "openid": openid,
        "unionid": unionid,
        "nickname": nickname,
        "next": next_url,
    }
    return HttpResponseRedirect(reverse("wechat_auth:bind"))


def bind(request):
    """Binds the WeChat user who just came back from WeChat to the logged-in resident (after the portal
    login, once)."""
    pending = request.session.get(SESSION_PENDING)
    account = site_account(request)
    if not pending or pending.get("account") != account.pk:
        return HttpResponseRedirect(reverse("wechat_auth:login"))
    if request.method == "POST":
        if not request.user.is_authenticated:
            return HttpResponseRedirect(reverse("accounts:login") + "?next=" + reverse("wechat_auth:bind"))
        error = None
        if Binding.objects.filter(account=account, openid=pending["openid"]).exists():
            error = _("This WeChat is already bound to another account.")
        elif Binding.objects.filter(account=account, user=request.user).exists():
            error = _("Your account is already bound to another WeChat on this account: remove that binding first.")
        else:
            try:
                with transaction.atomic():
                    Binding.objects.create(
                        account=account,
                        openid=pending["openid"],
                        unionid=pending["unionid"],
                        nickname=pending["nickname"],
                        user=request.user,
                    )
            except IntegrityError:  # bound by a concurrent request
                error = _("This WeChat is already bound to another account.")
        if error:
            messages.error(request, error)
        else:
            del request.session[SESSION_PENDING]
            messages.success(request, _("Your WeChat is bound: it logs you in on this site from now on."))
            return HttpResponseRedirect(safe_next(request, target=pending["next"]))
    context = {"account": account, "pending": pending, "next": pending["next"]}
    return render(request, "wechat/bind.html", context)


@login_required
def bindings(request):
    mine = Binding.objects.filter(user=request.user).select_related("account__community")
    return render(request, "wechat/bindings.html", {"bindings": mine})


@login_required
@require_POST
def binding_remove(request, pk):
    binding = get_object_or_404(Binding, pk=pk, user=request.user)
    binding.delete()
    messages.success(request, _("The WeChat binding is removed."))
    return HttpResponseRedirect(reverse("wechat_auth:bindings"))


@login_required
@require_POST
def binding_messages(request, pk):
    binding = get_object_or_404(Binding, pk=pk, user=request.user)
    binding.notifications = request.POST.get("notifications") == "on"
    binding.save(update_fields=["notifications"])
    messages.success(request, _("Saved."))
    return HttpResponseRedirect(reverse("wechat_auth:bindings"))
