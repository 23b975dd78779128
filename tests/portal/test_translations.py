"""Every string of the project is translated into Chinese (issue 19): no untranslated or fuzzy entry in
any zh-hans catalogue, and no gettext string in the code or templates missing from all of them."""

import polib
import pytest

from .translation_catalogue import is_translated, project_messages, zh_catalogues


@pytest.mark.parametrize("catalogue", zh_catalogues(), ids=lambda p: str(p.parent.parent.parent.parent))
def test_no_untranslated_or_fuzzy_entry(catalogue):
    bad = [e.msgid for e in polib.pofile(str(catalogue)) if not e.obsolete and not is_translated(e)]
    assert not bad, f"{catalogue}: {len(bad)} untranslated or fuzzy: {bad[:20]}"


def test_every_project_string_is_in_a_zh_hans_catalogue():
    translated = set()
    for catalogue in zh_catalogues():
        translated |= {(e.msgctxt, e.msgid) for e in polib.pofile(str(catalogue)) if is_translated(e)}
    missing = {}
    for message in project_messages():
        if (message.context, message.msgid) not in translated:
            missing.setdefault((message.context, message.msgid), message.where)
    report = "\n".join(f"{where}: {msgid!r}" for (_ctx, msgid), where in sorted(missing.items(), key=lambda i: i[1]))
    assert not missing, f"{len(missing)} strings with no Chinese translation:\n{report}"


def test_the_extractor_finds_python_and_template_strings():
    messages = {(m.context, m.msgid) for m in project_messages()}
    assert (None, "My votes and receipts") in messages  # a {% trans %} and a gettext_lazy
    assert (None, "Log out") in messages  # {% trans %} in the header
    assert any(msgid.startswith("Answer only if you answered question") for _c, msgid in messages)  # blocktrans
