"""Personal data in free text shown to the public: mobile numbers and ID numbers are masked."""

import re

# 18-character resident ID numbers (last may be X) and the old 15-digit form.
ID_NUMBER_RE = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)|(?<!\d)(\d{6})\d{6}(\d{3})(?!\d)")
# Mainland mobiles, tolerating +86 and spaces/dashes between groups.
MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d)[\s-]?\d{4}[\s-]?(\d{4})(?!\d)")
# Landlines with an area code: 010-12345678, 0571 8765 4321.
LANDLINE_RE = re.compile(r"(?<!\d)(0\d{2,3})[\s-]?\d{3,4}[\s-]?(\d{2})\d{2}(?!\d)")


def mask_personal_data(text: str) -> str:
    if not text:
        return text
    text = ID_NUMBER_RE.sub(lambda m: (m.group(1) or m.group(3)) + "*" * (12 if m.group(1) else 9), text)
    text = MOBILE_RE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    text = LANDLINE_RE.sub(lambda m: f"{m.group(1)}-****{m.group(2)}**", text)
    return text


def mask_address(address: str) -> str:
    """甲街道3号楼1203室 -> 甲街道*号楼****室: the street and building names stay, the numbers go."""
    return re.sub(r"\d", "*", address or "")
