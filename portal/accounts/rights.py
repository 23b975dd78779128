"""The resident's rights over their data (PIPL): see it, download it, correct it, delete the account.

Other apps add their part of a resident's data to the export by connecting to
`portal.accounts.signals.personal_data_requested` (return {"section name": JSON-able data}), and
anonymise what the person wrote by connecting to `account_deleted`.
"""

import json
import secrets

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.log import record

from . import consent, erasure, export
from .forms import DeleteAccountForm, ProfileForm
from .membership import memberships_of
from .models import VerificationCode
from .signals import account_deleted, personal_data_requested


def personal_data(user) -> dict:
    """Everything the portal holds about `user`, as the person gave it (unmasked: it is theirs)."""
    data = {
        "account": {
            "username": user.username,
            "phone": user.phone,
            "display_name": user.display_name,
            "email": user.email,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "last_login_ip": user.last_login_ip,
        },
        "consents": [
            {
                "purpose": _notice_title(c.purpose),
                "version": c.version,
                "given_at": c.given_at,
                "withdrawn_at": c.withdrawn_at,
            }
            for c in user.consents.all()
        ],
        "memberships": [
            {
                "community": m.community.name,
                "address": m.home.address if m.home else "",
                "floor_area": m.home.floor_area if m.home else None,
                "real_name": m.real_name,
                "id_number": m.id_masked,
                "birth_date": m.birth_date,
                "status": m.get_status_display(),
                "reason": m.reason,
                "roles": [str(r) for r, on in _roles(m) if on],
                "applied_at": m.applied_at,
                "decided_at": m.decided_at,
            }
            for m in memberships_of(user).select_related("community")
        ],
    }
    for _receiver, sections in personal_data_requested.send(sender=type(user), user=user):
        data.update(sections or {})
    data["staff_access"] = export.staff_access(user)
    return data


def _notice_title(purpose: str) -> str:
    notice = consent.NOTICES.get(purpose)
    return str(notice.title) if notice else purpose


def _roles(m):
    return [
        (_("Resident"), True),
        (_("Homeowner"), m.is_homeowner),
        (_("Resident representative"), m.is_representative),
        (_("Community worker"), m.is_worker),
        (_("Moderator"), m.is_moderator),
    ]


@login_required
def my_account(request):
    context = {
        "account": request.user,
        "memberships": memberships_of(request.user).select_related("community"),
        "consents": request.user.consents.filter(withdrawn_at__isnull=True).exclude(purpose=consent.ACCOUNT),
        "notices": consent.NOTICES,
    }
    return render(request, "accounts/me.html", context)


@login_required
def my_data(request):
    """The readable page of everything we hold."""
    return render(request, "accounts/my_data.html", {"sections": export.sections(personal_data(request.user))})


@login_required
def my_data_json(request):
    data = export.labelled(personal_data(request.user))
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def edit_profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your details are saved."))
        return redirect("accounts:me")
    return render(request, "accounts/edit_profile.html", {"form": form})


@login_required
def delete_account_view(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        delete_account(user)
        messages.success(request, _("Your account is deleted and your personal data erased."))
        return redirect("/")
    return render(request, "accounts/delete_account.html", {"form": form})


@transaction.atomic
def delete_account(user) -> None:
    """Erase a person's data and keep an empty, inactive account row.

    Everything the apps registered with `erasure` is redacted or deleted first (free text, uploads),
    then the apps' `account_deleted` receivers unlink what stays, then the account's own data goes.

    The row stays so that what others point at (ballots already counted, the audit log, anonymised
    posts) still holds together; nothing in it identifies the person any more.
    """
    known = erasure.known_personal_data(user)
    homes = list(user.memberships.exclude(home=None).values_list("home_id", flat=True))
    erasure.erase_personal_data(user, known)
    account_deleted.send(sender=type(user), user=user)
    phone = user.phone
    record(user, user, "account deleted by its owner", community=None)
    user.memberships.all().delete()
    erasure.remove_orphaned_homes(homes)
    user.consents.all().delete()
    if phone:
        VerificationCode.objects.filter(phone=phone).delete()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.username = "deleted-" + secrets.token_hex(8)
    user.phone = None
    user.display_name = ""
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.last_login_ip = None
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.deleted_at = timezone.now()
    user.session_generation += 1
    user.set_unusable_password()
    user.save()
