"""Every string of the WeChat apps has a Chinese translation in the app's own catalogue."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("app", ["portal/wechat", "communities/wechat"])
def test_catalogue_is_complete(app):
    po = polib.pofile(str(ROOT / app / "locale/zh_Hans/LC_MESSAGES/django.po"))
    assert len(po) > 10
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e.msgstr) for e in po.translated_entries())
