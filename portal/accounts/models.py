import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .actions import Requirement
from .phone import mask_phone, normalise_phone, validate_mobile


def new_username() -> str:
    """Residents log in by phone; the username is an opaque handle that never carries personal data."""
    return "u" + secrets.token_hex(6)


class User(AbstractUser):
    """One account for every community site. Logs in by phone number or username."""

    phone = models.CharField(
        _("mobile phone"), max_length=20, unique=True, null=True, blank=True, validators=[validate_mobile]
    )
    display_name = models.CharField(_("display name"), max_length=40, blank=True)
    elder_mode = models.BooleanField(
        _("elder-friendly mode"), default=False, help_text=_("Larger text and buttons on every community site.")
    )
    # Bumped to sign every session of this account out ("log out everywhere", password reset).
    session_generation = models.PositiveIntegerField(_("session generation"), default=0, editable=False)
    last_login_ip = models.GenericIPAddressField(_("last login IP address"), null=True, blank=True, editable=False)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        # A flag, not a right: give it to a group and its members must use a second factor in the admin.
        permissions = [("require_two_factor", _("Must use two-factor authentication in the admin"))]

    def clean(self):
        super().clean()
        self.phone = normalise_phone(self.phone) or None

    def save(self, *args, **kwargs):
        self.phone = normalise_phone(self.phone) or None
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret=None):
        key_salt = "portal.accounts.User.session_auth_hash"
        value = f"{self.password}:{self.session_generation}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    @property
    def public_name(self) -> str:
        """What other residents see: never the phone number."""
        if self.deleted_at:
            return str(_("Deleted user"))
        return self.display_name or self.username

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""

    def __str__(self):
        return self.public_name


class VerificationCode(models.Model):
    """A one-time code sent by SMS. Only a keyed hash of the code is stored."""

    class Purpose(models.TextChoices):
        SIGNUP = "signup", _("Sign-up")
        PASSWORD_RESET = "password_reset", _("Password reset")

    phone = models.CharField(_("mobile phone"), max_length=20, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    requested_ip = models.GenericIPAddressField(_("requested from IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        indexes = [models.Index(fields=["phone", "purpose", "-created_at"])]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class Consent(models.Model):
    """A person agreed to one privacy notice (purpose) in one version, at one time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents", verbose_name=_("user")
    )
    purpose = models.CharField(_("purpose"), max_length=30)
    version = models.CharField(_("version"), max_length=20)
    given_at = models.DateTimeField(_("given"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]

    def __str__(self):
        return f"{self.purpose} v{self.version}"


ROOM_VALIDATOR = RegexValidator(
    r"^[0-9A-Za-z\-]{1,10}$", _("Use up to 10 letters, digits and hyphens, for example 1203."), code="invalid_room"
)


def format_address(building: str, unit: str, room: str) -> str:
    unit_label = gettext("unit %(unit)s") % {"unit": unit} if unit else ""
    return " ".join(p for p in (building, unit_label, room) if p)


class Building(models.Model):
    """A building of a community; workers keep the list, residents pick from it when they apply."""

    community = models.ForeignKey(
        "regions.Community", on_delete=models.CASCADE, related_name="buildings", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=40, help_text=_("For example 3号楼."))
    units = models.CharField(
        _("units"),
        max_length=200,
        blank=True,
        help_text=_("Unit names separated by commas, for example 1,2,3. Leave empty if the building has no units."),
    )

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["community", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="building_name_unique_in_community")]

    def unit_names(self) -> list[str]:
        return [u.strip() for u in self.units.replace("，", ",").split(",") if u.strip()]

    def __str__(self):
        return self.name


class Home(models.Model):
    """An address inside a community. Its household is the verified members who live there."""

    community = models.ForeignKey(
        "regions.Community", on_delete=models.CASCADE, related_name="homes", verbose_name=_("community")
    )
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="homes", verbose_name=_("building"))
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    room = models.CharField(_("room"), max_length=10, validators=[ROOM_VALIDATOR])
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("home")
        verbose_name_plural = _("homes")
        constraints = [models.UniqueConstraint(fields=["building", "unit", "room"], name="home_address_unique")]

    @property
    def masked_address(self) -> str:
        from .masking import mask_room

        return format_address(self.building.name, self.unit, mask_room(self.room))

    masked_address.fget.short_description = _("address")

    @property
    def address(self) -> str:
        return format_address(self.building.name, self.unit, self.room)

    def __str__(self):
        return self.masked_address


class Membership(models.Model):
    """A person's membership of one community: applied, then verified, rejected or revoked by a worker."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        REVOKED = "revoked", _("Revoked")

    ACTIVE = (Status.PENDING, Status.VERIFIED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    community = models.ForeignKey(
        "regions.Community", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("community")
    )
    home = models.ForeignKey(
        Home, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships", verbose_name=_("home")
    )
    real_name = models.CharField(_("real name"), max_length=40, blank=True)
    id_hash = models.CharField(_("ID number fingerprint"), max_length=64, null=True, blank=True, editable=False)
    id_masked = models.CharField(_("ID number (masked)"), max_length=18, blank=True, editable=False)
    # Read from the ID number when it is given; the only way a minimum voting age can be checked.
    birth_date = models.DateField(_("date of birth (from the ID number)"), null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Shown to the resident when the membership is rejected or revoked.")
    )
    is_homeowner = models.BooleanField(_("homeowner"), default=False)
    is_representative = models.BooleanField(_("resident representative"), default=False)
    is_worker = models.BooleanField(_("community worker"), default=False)
    is_moderator = models.BooleanField(_("moderator"), default=False)
    applied_at = models.DateTimeField(_("applied"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-applied_at"]
        permissions = [("reveal_personal_data", _("Can reveal residents' personal data (logged)"))]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "community"],
                condition=models.Q(status__in=["pending", "verified"]),
                name="one_active_membership_per_user_and_community",
            ),
            models.UniqueConstraint(
                fields=["community", "id_hash"],
                condition=models.Q(status__in=["pending", "verified"], id_hash__isnull=False),
                name="one_person_one_membership_per_community",
            ),
        ]

    @property
    def member_name(self) -> str:
        return self.user.public_name

    member_name.fget.short_description = _("member")

    @property
    def masked_phone(self) -> str:
        return self.user.masked_phone

    masked_phone.fget.short_description = _("mobile phone")

    @property
    def masked_real_name(self) -> str:
        from .masking import mask_name

        return mask_name(self.real_name)

    masked_real_name.fget.short_description = _("real name")

    @property
    def masked_address(self) -> str:
        return self.home.masked_address if self.home else ""

    masked_address.fget.short_description = _("address")

    def __str__(self):
        # No names here: this label is copied into Wagtail's admin log, which outlives account deletion.
        return gettext("Membership %(id)s") % {"id": self.pk}


class ActionRule(models.Model):
    """What one community asks before an account may do one kind of action there (see actions.py);
    actions without a row use the default their app registered."""

    community = models.ForeignKey(
        "regions.Community", on_delete=models.CASCADE, related_name="action_rules", verbose_name=_("community")
    )
    action = models.CharField(_("action"), max_length=60)
    requirement = models.CharField(_("who may"), max_length=10, choices=Requirement.choices)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("participation rule")
        verbose_name_plural = _("participation rules")
        constraints = [models.UniqueConstraint(fields=["community", "action"], name="one_rule_per_community_action")]

    def __str__(self):
        return f"{self.action}: {self.requirement}"
