"""The benchmarks' own page type and views never reach a real site: only their bench settings install them."""

from pathlib import Path

from django.apps import apps
from django.urls import resolve
from wagtail.models import get_page_models


def test_the_bare_page_type_is_not_installed_outside_the_page_benchmark():
    assert not apps.is_installed("tests.benchmarks.bare")
    assert "BarePage" not in {model.__name__ for model in get_page_models()}
    settings_text = (Path(__file__).parent / "benchmarks" / "page_settings.py").read_text(encoding="utf-8")
    assert '"tests.benchmarks.bare"' in settings_text  # ...and the page benchmark's settings do install it


def test_the_baseline_write_view_is_not_mounted():
    match = resolve("/bench/write/")  # Wagtail's catch-all, which answers 404 for a page that is not there
    assert match.func.__module__ != "tests.benchmarks.write_baseline" and match.url_name == "wagtail_serve"
