"""The one way to write the audit log: record(actor, subject, what, why)."""

from .models import AuditEntry


def record(actor, subject, what: str, why: str = "", community=None) -> AuditEntry:
    """Log that `actor` did `what` (e.g. "reveal phone, room") to `subject`'s personal data because `why`.

    Pass field names in `what`, never the values.
    """
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        subject=subject,
        community=community,
        what=what[:200],
        why=why,
    )
