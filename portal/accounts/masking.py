"""How personal data looks to anyone but its owner and staff who reveal it with a reason."""

from .identity import mask_id_number
from .phone import mask_phone

__all__ = ["mask_id_number", "mask_name", "mask_phone", "mask_room"]


def mask_room(room: str) -> str:
    """1203 -> 1***: the floor stays readable, the door does not."""
    room = (room or "").strip()
    if len(room) <= 1:
        return "*" * len(room)
    return room[0] + "*" * (len(room) - 1)


def mask_name(name: str) -> str:
    """张三丰 -> 张**"""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""
