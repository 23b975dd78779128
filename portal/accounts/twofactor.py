"""Two-factor authentication (django-otp, TOTP) for the Wagtail admin.

Staff in a group holding the permission accounts.require_two_factor must verify a one-time code
before any admin page; the first time, they set up an authenticator app.
"""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.core.redirects import safe_next

ADMIN_PREFIX = "/admin/"
ADMIN_OPEN_PATHS = ("/admin/login/", "/admin/logout/", "/admin/jsi18n/")


def requires_two_factor(user) -> bool:
    """Checked on the groups themselves, so superuser status does not imply the flag."""
    return Group.objects.filter(
        user=user, permissions__codename="require_two_factor", permissions__content_type__app_label="accounts"
    ).exists()


class RequireTwoFactorMiddleware:
    """Sends flagged staff to the second-factor page before any admin page. Needs django-otp's OTPMiddleware first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.needs_second_factor(request):
            return redirect(reverse("accounts:two_factor") + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)

    @staticmethod
    def needs_second_factor(request) -> bool:
        path = request.path
        if not path.startswith(ADMIN_PREFIX) or path.startswith(ADMIN_OPEN_PATHS):
            return False
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return False
        return requires_two_factor(user)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput({"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


@login_required
def two_factor(request):
    """Verify a TOTP code; on first use, set up the device and confirm it with a first code."""
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    device = confirmed or _pending_device(request.user)
    form = TokenForm(request.POST or None)
    allowed, _why = device.verify_is_allowed()
    if request.method == "POST" and form.is_valid() and not allowed:
        form.add_error("token", _("Too many wrong codes. Wait a little and try again with the newest code."))
    elif request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return HttpResponseRedirect(safe_next(request, ADMIN_PREFIX, request.GET.get("next") or ""))
        form.add_error("token", _("The code is not right, or it has expired. Try the newest code."))
    context = {"form": form, "setup": not device.confirmed, "device": device}
    if not device.confirmed:
        context["secret"] = _base32(device)
        context["otpauth_url"] = device.config_url
        context["issuer"] = settings.OTP_TOTP_ISSUER
    return render(request, "accounts/two_factor.html", context)


def _pending_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def _base32(device) -> str:
    from base64 import b32encode

    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
