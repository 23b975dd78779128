"""The unified social credit code (统一社会信用代码) of GB 32100-2015 and its check character."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The 31 characters a code may use: digits and capitals without I, O, Z, S and V.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Weight of position i (0-based) is 3**i mod 31.
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
LENGTH = 18


def check_character(first17: str) -> str:
    """The 18th character for the first 17: 31 minus the weighted sum mod 31 (31 becomes 0)."""
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    return (code or "").strip().upper()


def validate_credit_code(value: str) -> None:
    """Raise a ValidationError saying exactly what is wrong with a credit code."""
    code = normalise(value)
    if len(code) != LENGTH:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d."),
            code="credit_code_length",
            params={"count": len(code)},
        )
    bad = sorted({c for c in code if c not in CHARSET})
    if bad:
        raise ValidationError(
            _(
                "The character(s) %(chars)s cannot appear in a unified social credit code "
                "(I, O, Z, S and V are never used)."
            ),
            code="credit_code_charset",
            params={"chars": ", ".join(bad)},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 are the administrative division code and must be digits."),
            code="credit_code_division",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "The check character is wrong: it should be %(expected)s, not %(found)s. "
                "Check the code for a typing error."
            ),
            code="credit_code_check",
            params={"expected": expected, "found": code[17]},
        )
