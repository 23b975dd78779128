"""GB 32100 unified social credit codes: the check character, and a clear error for each bad case."""

import pytest
from django.core.exceptions import ValidationError

from communities.organisations.credit_code import check_character, validate_credit_code


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # the standard's worked example
        "53100000500021676K",
        "91110000600037341L",
        "52440100MJ0000001U",
    ],
)
def test_valid_codes_pass(code):
    assert check_character(code[:17]) == code[17]
    validate_credit_code(code)


def test_lower_case_and_spaces_are_normalised_before_checking():
    validate_credit_code("  91350100m000100y43 ")


def _error(code):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    return exc.value.error_list[0]


@pytest.mark.parametrize(
    "code, error_code, words",
    [
        ("91350100M000100Y4", "credit_code_length", "this one has 17"),
        ("91350100M000100Y431", "credit_code_length", "this one has 19"),
        ("", "credit_code_length", "this one has 0"),
        ("91350100M00O100Y43", "credit_code_charset", "O"),
        ("9135010SI000100Y43", "credit_code_charset", "I, S"),
        ("9135A100M000100Y43", "credit_code_division", "administrative division"),
        ("91350100M000100Y44", "credit_code_check", "should be 3, not 4"),
        ("91350100M000100Y4A", "credit_code_check", "should be 3, not A"),
    ],
)
def test_each_bad_case_gets_its_own_clear_error(code, error_code, words):
    error = _error(code)
    assert error.code == error_code
    assert words in str(error.message % error.params if error.params else error.message)


def test_a_single_typing_error_is_always_caught():
    """Changing any one character of a valid code changes the check (31 is prime, weights non-zero)."""
    from communities.organisations.credit_code import CHARSET

    valid = "53100000500021676K"
    for position in range(17):
        for replacement in CHARSET:
            if replacement == valid[position] or (2 <= position < 8 and not replacement.isdigit()):
                continue
            typo = valid[:position] + replacement + valid[position + 1 :]
            with pytest.raises(ValidationError):
                validate_credit_code(typo)
