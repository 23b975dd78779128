"""Partners' API keys for the Open311 server: shown once when issued, stored as a hash."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """One partner's key (a street's app, the 12345 hotline): the communities it may file for, its
    rate limit, and whether it is revoked. The key itself is never stored: `prefix` finds the row,
    `key_hash` (SHA-256 of the whole key) checks it."""

    partner = models.CharField(_("partner"), max_length=200, help_text=_("Who uses this key, e.g. 12345 hotline."))
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    communities = models.ManyToManyField(
        "regions.Community",
        related_name="+",
        verbose_name=_("communities"),
        help_text=_("The communities this key may file complaints for."),
    )
    requests_per_minute = models.PositiveIntegerField(_("requests per minute"), default=60)
    created_at = models.DateTimeField(_("issued"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["partner", "pk"]

    def __str__(self):
        return f"{self.partner} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
