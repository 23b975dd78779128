"""Resident ID numbers (居民身份证号码, GB 11643): validation, keyed fingerprint and masking.

The number itself is never stored: only its HMAC (for "one person, one membership per community"),
a masked form for display, and the date of birth it contains (for topics with a minimum voting
age). A worker verifying someone types the number from the ID card and the fingerprint is compared.
"""

import hashlib
import hmac
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DEV_ID_HASH_SECRET = "dev-only-id-hash-secret-do-not-use-in-production"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def normalise_id_number(value: str) -> str:
    return "".join((value or "").split()).upper()


def check_digit(first17: str) -> str:
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> None:
    number = normalise_id_number(value)
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a last digit or X."), code="invalid_id_length"
        )
    if birth_date_from_id(number) is None:
        raise ValidationError(
            _("This ID number is not valid (its date of birth does not exist). Please check it."),
            code="invalid_id_birth_date",
        )
    if check_digit(number[:17]) != number[17]:
        raise ValidationError(
            _("This ID number is not valid (its check digit does not match). Please check it."),
            code="invalid_id_check_digit",
        )


def birth_date_from_id(value: str) -> date | None:
    """The date of birth that GB 11643 puts in characters 7-14 (YYYYMMDD); None if it is no real date."""
    digits = normalise_id_number(value)[6:14]
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
    return born if born.year >= 1900 else None


def id_hash(value: str) -> str:
    secret = settings.ID_HASH_SECRET.encode()
    return hmac.new(secret, normalise_id_number(value).encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    """11**************1X"""
    number = normalise_id_number(value)
    if len(number) < 5:
        return "*" * len(number)
    return number[:2] + "*" * (len(number) - 4) + number[-2:]
