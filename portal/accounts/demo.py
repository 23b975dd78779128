"""Demo data of the accounts part: what the demo resident's 我的数据 (My data) shows."""

from portal.audit.log import record
from portal.audit.models import AuditEntry


def seed_demo_staff_access(worker, resident, community) -> None:
    """A worker opened and revealed the demo resident's membership, with a reason: the resident's export
    lists both (who, when, what, why)."""
    if AuditEntry.objects.filter(actor=worker, subject=resident).exists():
        return
    record(worker, resident, "view membership (masked)", community=community)
    record(
        worker, resident, "reveal phone, real name, room, date of birth", "核对住址信息（演示）", community=community
    )
