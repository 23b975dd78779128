"""Who is a verified resident of which community, in what role: the API every other app calls.

from portal.accounts.membership import is_verified_resident, has_role, Role

is_verified_resident(request.user, community)
has_role(request.user, community, Role.HOMEOWNER)
household_of(request.user, community)      # the Home (one household = one vote), or None
"""

from datetime import date

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .identity import birth_date_from_id, id_hash, mask_id_number
from .models import Home, Membership


class Role(models.TextChoices):
    RESIDENT = "resident", gettext_lazy("Resident")
    REPRESENTATIVE = "representative", gettext_lazy("Resident representative")
    HOMEOWNER = "homeowner", gettext_lazy("Homeowner")
    WORKER = "worker", gettext_lazy("Community worker")
    MODERATOR = "moderator", gettext_lazy("Moderator")


ROLE_FIELDS = {
    Role.REPRESENTATIVE: "is_representative",
    Role.HOMEOWNER: "is_homeowner",
    Role.WORKER: "is_worker",
    Role.MODERATOR: "is_moderator",
}


class MembershipError(Exception):
    """A membership application was refused; str() is the message for the resident."""


class AlreadyApplied(MembershipError):
    pass


class DuplicateIdentity(MembershipError):
    pass


def verified_membership(user, community) -> Membership | None:
    if not getattr(user, "is_authenticated", False) or community is None:
        return None
    return (
        Membership.objects.filter(user=user, community=community, status=Membership.Status.VERIFIED)
        .select_related("home")
        .first()
    )


def is_verified_resident(user, community) -> bool:
    return verified_membership(user, community) is not None


def has_role(user, community, role: str) -> bool:
    """Every verified member has Role.RESIDENT; the other roles are flags a worker sets."""
    membership = verified_membership(user, community)
    if membership is None:
        return False
    if role == Role.RESIDENT:
        return True
    return bool(getattr(membership, ROLE_FIELDS[Role(role)]))


def verified_members(community, role: str = Role.RESIDENT):
    """Users verified in `community` holding `role`."""
    from django.contrib.auth import get_user_model

    filters = {"memberships__community": community, "memberships__status": Membership.Status.VERIFIED}
    if role != Role.RESIDENT:
        filters[f"memberships__{ROLE_FIELDS[Role(role)]}"] = True
    return get_user_model().objects.filter(**filters).distinct()


def born_on_or_before(min_age: int, today: date | None = None) -> date:
    """The latest date of birth of someone who is `min_age` or older today (a 29 February birthday counts
    from 1 March in other years)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - min_age)
    except ValueError:  # today is 29 February
        return today.replace(year=today.year - min_age, day=28)


def household_of(user, community) -> Home | None:
    """The home (household) of a verified member; its floor_area counts in homeowners' votes."""
    membership = verified_membership(user, community)
    return membership.home if membership else None


def household_members(home: Home):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(memberships__home=home, memberships__status=Membership.Status.VERIFIED)
        .distinct()
    )


def memberships_of(user):
    return Membership.objects.filter(user=user).select_related("home__building")


def apply_for_membership(user, community, building, unit, room, real_name="", id_number="") -> Membership:
    """Create a pending membership. Refuses a second active one, and an ID number already active here.

    The database constraints decide, so two requests at the same moment cannot both succeed.
    """
    fingerprint = id_hash(id_number) if id_number else None
    try:
        with transaction.atomic():
            home, _created = Home.objects.get_or_create(
                community=community, building=building, unit=unit or "", room=room
            )
            return Membership.objects.create(
                user=user,
                community=community,
                home=home,
                real_name=real_name,
                id_hash=fingerprint,
                id_masked=mask_id_number(id_number) if id_number else "",
                birth_date=birth_date_from_id(id_number) if id_number else None,
            )
    except IntegrityError as exc:
        active = Membership.objects.filter(community=community, status__in=Membership.ACTIVE)
        if active.filter(user=user).exists():
            raise AlreadyApplied(_("You have already applied to or belong to this community.")) from exc
        if fingerprint and active.filter(id_hash=fingerprint).exists():
            raise DuplicateIdentity(
                _(
                    "This ID number is already used by another account in this community. One person can have "
                    "only one membership per community; please contact the community office if this is a mistake."
                )
            ) from exc
        raise


def notify_decision(membership: Membership) -> bool:
    """Tell the resident that a worker verified, rejected or revoked their membership (with the reason).

    Through the one notifications entry point; once per decision (a re-save does not tell them twice)."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    from portal.core.links import site_url
    from portal.notifications.services import notify

    if membership.status not in (Membership.Status.VERIFIED, Membership.Status.REJECTED, Membership.Status.REVOKED):
        return False
    with translation.override(settings.LANGUAGE_CODE):  # the resident's site language, not the worker's
        texts = {
            Membership.Status.VERIFIED: _(
                "Your membership of %(community)s is verified: you can now vote and take part."
            ),
            Membership.Status.REJECTED: _("Your membership of %(community)s was not verified: %(reason)s"),
            Membership.Status.REVOKED: _("Your membership of %(community)s was revoked: %(reason)s"),
        }
        text = texts[membership.status] % {"community": membership.community.name, "reason": membership.reason.strip()}
    url = site_url(membership.community.site, reverse("accounts:me"))
    stamp = membership.decided_at.timestamp() if membership.decided_at else ""
    key = f"membership.{membership.pk}.{membership.status}.{stamp}"
    return notify(
        membership.user,
        f"membership.{membership.status}",
        text,
        url=url,
        key=key,
        community=membership.community,
    )
