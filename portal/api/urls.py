"""/api/v1/: the registered routers, their OpenAPI document and the interactive docs (served from
ninja's own static files); every view wrapped for CORS and conditional GET (portal.api.http)."""

from django.urls import URLPattern, URLResolver

from .http import read_api_view
from .registry import get_api


def _wrap(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _wrap(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            pattern.callback = read_api_view(pattern.callback)
    return patterns


_patterns, app_name, _namespace = get_api().urls
urlpatterns = _wrap(list(_patterns))
