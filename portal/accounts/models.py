from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from .phone import mask_phone, normalise_phone, validate_mobile


class User(AbstractUser):
    """One account for every community site. Logs in by phone number or username."""

    phone = models.CharField(
        _("mobile phone"), max_length=20, unique=True, null=True, blank=True, validators=[validate_mobile]
    )
    display_name = models.CharField(_("display name"), max_length=40, blank=True)

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

    @property
    def public_name(self) -> str:
        """What other residents see: never the phone number."""
        return self.display_name or self.username

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""

    def __str__(self):
        return self.public_name
