"""Demo data of the accounts part: what the demo resident's 我的数据 (My data) shows."""

from portal.accounts.membership import apply_for_membership
from portal.accounts.models import Building, Membership
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


def _id_number(first17: str) -> str:
    """A well-formed mainland ID number (GB 11643 check digit) for demo data."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


# (username, public name, phone, real name): the worker sees the public name and the real name masked.
DEMO_APPLICANT = ("applicant", "老李", "13800138001", "李建国")


def seed_demo_applicant(community, password) -> Membership | None:
    """A resident waiting for verification (real name, ID number, building and home), so the community's
    worker has an application to open, reveal with a reason, and verify or refuse."""
    from django.contrib.auth import get_user_model

    username, display_name, phone, real_name = DEMO_APPLICANT
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": display_name, "phone": phone}
    )
    if created:
        user.set_password(password)
        user.save()
    if Membership.objects.filter(user=user, community=community).exists():
        return None
    building, _ = Building.objects.get_or_create(community=community, name="3号楼", defaults={"units": "1,2"})
    return apply_for_membership(
        user, community, building, "2", "301", real_name=real_name, id_number=_id_number("42010619850612003")
    )
