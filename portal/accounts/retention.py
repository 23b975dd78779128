"""Retention: verification codes and stored IP addresses are kept only for a configured time."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from .models import VerificationCode


def purge_expired_personal_data(now=None) -> dict:
    """Delete old verification codes (with their IP) and forget old login IP addresses."""
    now = now or timezone.now()
    code_cutoff = now - timedelta(days=settings.PORTAL_VERIFICATION_CODE_RETENTION_DAYS)
    ip_cutoff = now - timedelta(days=settings.PORTAL_IP_RETENTION_DAYS)
    codes, _by_model = VerificationCode.objects.filter(created_at__lt=code_cutoff).delete()
    ips = VerificationCode.objects.filter(created_at__lt=ip_cutoff, requested_ip__isnull=False).update(
        requested_ip=None
    )
    ips += (
        get_user_model()
        .objects.filter(last_login_ip__isnull=False)
        .exclude(last_login__gte=ip_cutoff)
        .update(last_login_ip=None)
    )
    return {"verification_codes_deleted": codes, "ip_addresses_erased": ips}
