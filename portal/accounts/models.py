import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

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
    # Bumped to sign every session of this account out ("log out everywhere", password reset).
    session_generation = models.PositiveIntegerField(_("session generation"), default=0, editable=False)
    last_login_ip = models.GenericIPAddressField(_("last login IP address"), null=True, blank=True, editable=False)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

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
