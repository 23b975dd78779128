"""The organisation pages and errors speak Chinese first."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import trans_real

from communities.organisations.credit_code import validate_credit_code


def test_errors_and_section_title_are_in_chinese():
    call_command("compile_translations")
    trans_real._translations = {}  # load the catalogues just compiled
    trans_real._default = None
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as exc:
            validate_credit_code("91350100M000100Y44")
        assert exc.value.messages == ["校验码错误：应为 3，而不是 4。请检查代码是否输入有误。"]
        assert translation.gettext("Social organisations") == "社会组织"
