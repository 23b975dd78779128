"""Sign-up, password reset by SMS code, logout everywhere and the resident's own account page."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core import sites
from portal.core.redirects import safe_next

from . import consent, membership, throttle
from .forms import (
    LoginForm,
    MembershipApplicationForm,
    PasswordResetConfirmForm,
    PhoneOnlyForm,
    SignupConfirmForm,
    SignupPhoneForm,
)
from .models import VerificationCode, new_username
from .phone import mask_phone
from .verification import CodeNotSent, check_code, send_code

SIGNUP_SESSION_KEY = "accounts_signup"
RESET_SESSION_KEY = "accounts_password_reset"


class LoginView(auth_views.LoginView):
    """Django's login with the form that throttles, and `next` held to a safe local URL like every view."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def get_redirect_url(self):
        return safe_next(self.request, "")


def signup(request):
    """Step 1: the privacy notice, the phone number, consent; sends a code."""
    form = SignupPhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            send_code(phone, VerificationCode.Purpose.SIGNUP, throttle.client_ip(request))
        except CodeNotSent as exc:
            form.add_error(None, str(exc))
        else:
            request.session[SIGNUP_SESSION_KEY] = {"phone": phone, "next": safe_next(request, "")}
            return redirect("accounts:signup_confirm")
    notice = consent.notice(consent.ACCOUNT)
    return render(request, "accounts/signup.html", {"form": form, "notice": notice})


def signup_confirm(request):
    """Step 2: the code, a display name and a password; creates the account and logs in."""
    pending = request.session.get(SIGNUP_SESSION_KEY)
    if not pending:
        return redirect("accounts:signup")
    form = SignupConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = pending["phone"]
        if not check_code(phone, VerificationCode.Purpose.SIGNUP, form.cleaned_data["code"]):
            form.add_error("code", _("The code is wrong or has expired. Ask for a new one if needed."))
        else:
            user = _create_account(phone, form.cleaned_data)
            if user is None:
                form.add_error(None, _("This mobile number already has an account. Log in, or reset your password."))
            else:
                del request.session[SIGNUP_SESSION_KEY]
                login(request, user, backend="portal.accounts.backends.PhoneOrUsernameBackend")
                messages.success(request, _("Welcome! Your account is ready."))
                return HttpResponseRedirect(safe_next(request, reverse("accounts:me"), pending.get("next") or ""))
    return render(request, "accounts/signup_confirm.html", {"form": form, "masked_phone": mask_phone(pending["phone"])})


def _create_account(phone, data):
    User = get_user_model()
    try:
        with transaction.atomic():
            user = User(username=new_username(), phone=phone, display_name=data["display_name"])
            user.set_password(data["password1"])
            user.save()
            consent.record_consent(user, consent.ACCOUNT)
    except IntegrityError:  # the same number signed up a moment ago
        return None
    return user


def password_reset(request):
    form = PhoneOnlyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            if get_user_model().objects.filter(phone=phone, is_active=True).exists():
                send_code(phone, VerificationCode.Purpose.PASSWORD_RESET, throttle.client_ip(request))
        except CodeNotSent as exc:
            form.add_error(None, str(exc))
        else:
            request.session[RESET_SESSION_KEY] = phone
            messages.info(request, _("If this number has an account, we have sent it a code."))
            return redirect("accounts:password_reset_confirm")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_confirm(request):
    phone = request.session.get(RESET_SESSION_KEY)
    if not phone:
        return redirect("accounts:password_reset")
    form = PasswordResetConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = get_user_model().objects.filter(phone=phone, is_active=True).first()
        if user is None or not check_code(phone, VerificationCode.Purpose.PASSWORD_RESET, form.cleaned_data["code"]):
            form.add_error("code", _("The code is wrong or has expired. Ask for a new one if needed."))
        else:
            user.set_password(form.cleaned_data["password1"])
            user.session_generation += 1
            user.save(update_fields=["password", "session_generation"])
            throttle.reset_account(user)
            del request.session[RESET_SESSION_KEY]
            messages.success(request, _("Your password is changed and every session is logged out. Please log in."))
            return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form})


@login_required
@require_POST
def logout_everywhere(request):
    user = request.user
    user.session_generation += 1
    user.save(update_fields=["session_generation"])
    logout(request)
    messages.success(request, _("You are logged out on every device."))
    return redirect(reverse("accounts:login"))


@login_required
def join_community(request):
    """Apply to join the community of this site."""
    community = sites.community_for_request(request)
    if community is None:
        raise Http404(_("Open your community's own site to apply for membership."))
    form = MembershipApplicationForm(request.POST or None, community=community)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership.apply_for_membership(
                request.user,
                community,
                data["building"],
                data["unit"],
                data["room"],
                real_name=data["real_name"],
                id_number=data["id_number"],
            )
        except membership.MembershipError as exc:
            form.add_error("id_number" if isinstance(exc, membership.DuplicateIdentity) else None, str(exc))
        else:
            if data["id_number"]:
                consent.record_consent(request.user, consent.ID_NUMBER)
            messages.success(request, _("Thank you. A community worker will verify your membership."))
            return redirect("accounts:me")
    context = {"form": form, "community": community, "notice": consent.notice(consent.ID_NUMBER)}
    return render(request, "accounts/join.html", context)


@login_required
def give_consent(request, purpose):
    """Show a privacy notice and record agreement; other apps send people here with ?next=."""
    if purpose not in consent.NOTICES:
        raise Http404(_("There is no such privacy notice."))
    notice = consent.notice(purpose)
    if request.method == "POST":
        if request.POST.get("agree"):
            consent.record_consent(request.user, purpose)
            return HttpResponseRedirect(safe_next(request, reverse("accounts:me")))
        messages.error(request, _("Tick the box to agree, or go back."))
    context = {"notice": notice, "next": safe_next(request, "")}
    return render(request, "accounts/consent.html", context)


@login_required
@require_POST
def withdraw_consent(request, purpose):
    if purpose not in consent.NOTICES or purpose == consent.ACCOUNT:
        raise Http404(_("There is no such privacy notice."))
    consent.withdraw_consent(request.user, purpose)
    messages.success(request, _("Your consent is withdrawn and what it covered is erased."))
    return redirect("accounts:me")
