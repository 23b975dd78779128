"""The themes a community can pick in its site settings.

A theme is a name, a stylesheet over the base one (themes/static/themes/<name>/theme.css), a default
primary colour, and optional template overrides in themes/templates/<name>/ that win over
themes/templates/ for the sites using it (see themes/loaders.py). Adding a theme means adding it here
and creating those files: no migration, since the settings field reads its choices from this registry.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

BASE = "base"


@dataclass(frozen=True)
class Theme:
    name: str
    label: str | Promise
    primary: str  # default primary colour; white text must stay readable on it (contrast >= 4.5:1)

    @property
    def stylesheet(self) -> str | None:
        """Static path of the theme's own stylesheet, loaded after the base one."""
        return None if self.name == BASE else f"themes/{self.name}/theme.css"


THEMES = {
    theme.name: theme
    for theme in (
        Theme(BASE, _("Standard (red)"), "#b71c1c"),
        Theme("civic", _("Civic blue"), "#0b4f8a"),
        Theme("warm", _("Warm community"), "#8a3b12"),
    )
}


def get_theme(name: str | None) -> Theme:
    """The registered theme of that name, or the base theme for an unknown or empty name."""
    return THEMES.get(name or BASE) or THEMES[BASE]


def theme_choices():
    return [(theme.name, theme.label) for theme in THEMES.values()]
