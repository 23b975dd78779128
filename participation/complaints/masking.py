"""Personal data in free text shown to the public: phone numbers, ID numbers and door numbers are masked."""

import re

from portal.accounts import personal_text


def mask_personal_data(text: str) -> str:
    """Phone numbers, ID numbers and door numbers masked (the one masking: `portal.accounts.personal_text`)."""
    return personal_text.mask(text)


def mask_address(address: str) -> str:
    """甲街道3号楼1203室 -> 甲街道*号楼****室: the street and building names stay, the numbers go."""
    return re.sub(r"\d", "*", address or "")
