"""Template loaders that let a theme override any template: themes/templates/<theme>/X.html wins over X.html.

The current theme is a context variable, set per request by a middleware (communities.regions.theming)
to a callable so that it is only resolved when a template is actually loaded. The cached loader keys
its cache by theme, so switching a site's theme takes effect on the next render, without a restart.
"""

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from django.template.loaders import cached, filesystem

from .registry import BASE, get_theme

THEME_TEMPLATES = Path(__file__).resolve().parent / "templates"

_current: ContextVar[str | Callable[[], str] | None] = ContextVar("portal_theme", default=None)


def current_theme_name() -> str:
    value = _current.get()
    if callable(value):
        value = value()
        _current.set(value)  # resolve once per request
    return get_theme(value).name  # only registered names ever reach a path


@contextmanager
def using_theme(theme: str | Callable[[], str] | None):
    """Render with this theme (a name, or a callable giving one) inside the block."""
    token = _current.set(theme)
    try:
        yield
    finally:
        _current.reset(token)


class ThemeDirectoryLoader(filesystem.Loader):
    """Finds templates in the current theme's folder only; the base theme has none."""

    def get_dirs(self):
        name = current_theme_name()
        return [] if name == BASE else [THEME_TEMPLATES / name]


class ThemeCachedLoader(cached.Loader):
    """Django's cached loader, with one cache entry per theme."""

    def cache_key(self, template_name, skip=None):
        return f"{current_theme_name()}:{super().cache_key(template_name, skip)}"
