"""Chinese first: every string of accounts and audit has a Chinese translation in the app's own catalogue."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("app", ["portal/accounts", "portal/audit"])
def test_catalogue_is_complete(app):
    po = polib.pofile(str(ROOT / app / "locale/zh_Hans/LC_MESSAGES/django.po"))
    assert len(po) > 5
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e.msgstr) for e in po.translated_entries())


def test_chinese_is_served_by_default(db, settings, host_client):
    """The signup page renders in Chinese when no language is asked for (needs compiled catalogues)."""
    from django.core.management import call_command

    call_command("compile_translations", verbosity=0)
    settings.LANGUAGE_CODE = "zh-hans"
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # setting_changed drops the cached catalogues
    html = host_client("localhost").get("/accounts/signup/").content.decode()
    assert "注册账号" in html and "隐私说明" in html
