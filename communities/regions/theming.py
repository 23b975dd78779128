"""Renders every response with the theme its site picked in its CommunitySettings."""

from themes.loaders import using_theme

from .models import CommunitySettings


def theme_for_request(request) -> str:
    """The site's theme name; the settings row is read only when a template is actually loaded."""
    try:
        return CommunitySettings.for_request(request).theme
    except CommunitySettings.DoesNotExist:  # no site matches the host: the base theme
        return "base"


class SiteThemeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Lazy, so that a page served from the page cache never reads the settings.
        with using_theme(lambda: theme_for_request(request)):
            return self.get_response(request)
