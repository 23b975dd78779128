"""Privacy notices (what is collected and why) and the record of who agreed to which version.

Change a notice's text => raise its version: earlier consent then no longer counts for it.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Notice:
    purpose: str
    version: str
    title: Promise
    text: Promise


ACCOUNT = "account"
ID_NUMBER = "id_number"
COMPLAINT_LOCATION = "complaint_location"

NOTICES = {
    ACCOUNT: Notice(
        ACCOUNT,
        "2026-11",
        _("Your account"),
        _(
            "We collect your mobile number to create your account, to log you in and to send you verification "
            "codes, and the display name you choose, which other residents see. Your number is never shown to "
            "other residents. Community workers see it masked and can reveal it only with a stated reason, which "
            "is logged. You can download, correct or delete your data at any time on your account page."
        ),
    ),
    ID_NUMBER: Notice(
        ID_NUMBER,
        "2026-12",
        _("Your ID number"),
        _(
            "Giving your ID number is optional. It is used only to make sure that one person has one verified "
            "membership per community. We keep only a keyed fingerprint of it, a masked form (first and last "
            "two characters) and the date of birth it contains, never the number itself. The date of birth is "
            "used only to check a minimum age for votes that have one; it is never shown to other residents. "
            "Workers check your ID card against the fingerprint when they verify you."
        ),
    ),
    COMPLAINT_LOCATION: Notice(
        COMPLAINT_LOCATION,
        "2026-11",
        _("The location of your complaint"),
        _(
            "The place you give with a complaint is sent to the city's event-handling system so the right "
            "department can act on it. It is shown to the public only roughly, never with your address."
        ),
    ),
}


def notice(purpose: str) -> Notice:
    return NOTICES[purpose]


def record_consent(user, purpose: str):
    from .models import Consent

    return Consent.objects.create(user=user, purpose=purpose, version=NOTICES[purpose].version)


def has_consent(user, purpose: str) -> bool:
    """Agreed to the current version of this notice and not withdrawn."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.consents.filter(purpose=purpose, version=NOTICES[purpose].version, withdrawn_at__isnull=True).exists()


def withdraw_consent(user, purpose: str) -> int:
    """Withdraw agreement to a notice and stop using what it covered. The account notice is withdrawn
    by deleting the account instead."""
    from django.utils import timezone

    if purpose == ACCOUNT:
        raise ValueError("withdraw the account consent by deleting the account")
    withdrawn = user.consents.filter(purpose=purpose, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
    if purpose == ID_NUMBER:
        user.memberships.update(id_hash=None, id_masked="", birth_date=None)
    return withdrawn
