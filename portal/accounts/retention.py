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


def erasure_tables() -> list[str]:
    """Every table account deletion writes to (the erasure registry's, and the accounts' own)."""
    from . import erasure
    from .models import Consent, Home, Membership, VerificationCode

    models = {s.model for s in erasure.text_sources()} | {s.model for s in erasure.file_sources()}
    models |= {m for m, _own in erasure.row_sources()}
    models |= {get_user_model(), Consent, Home, Membership, VerificationCode}
    return sorted({m._meta.db_table for m in models})


def vacuum_erasure_tables() -> list[str]:
    """PostgreSQL: VACUUM those tables, so dead row versions holding erased data become free space soon
    (see docs/accounts.md, "How long deleted data can remain"). Must run outside a transaction."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    if connection.in_atomic_block:
        raise RuntimeError("VACUUM cannot run inside a transaction.")
    tables = erasure_tables()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
    return tables


def erase_again(user_ids) -> list[int]:
    """After restoring a backup: erase again the accounts deleted since it was taken (ids from the log).
    Accounts that are still erased are left as they are. Returns the ids erased now."""
    from .rights import delete_account

    erased = []
    for user in get_user_model().objects.filter(pk__in=list(user_ids), deleted_at__isnull=True):
        delete_account(user)
        erased.append(user.pk)
    return erased
