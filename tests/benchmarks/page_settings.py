"""The benchmark settings (portal.settings.bench) plus the bare Wagtail page type of
tests.benchmarks.bare: used only by tests/benchmarks/page_floor.py, never by a production site."""

from portal.settings.bench import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.benchmarks.bare"]  # noqa: F405
