"""Mainland China mobile numbers: the one place that knows their shape."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(value: str) -> str:
    """Strip spaces, dashes and a +86 / 0086 prefix."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(normalise_phone(value)):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number, for example 13800138000."), code="invalid_phone"
        )


def mask_phone(value: str) -> str:
    """138****1234"""
    value = normalise_phone(value)
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}****{value[-4:]}"
