"""The path converter for database ids in the project's URLs: `<id:pk>`.

Django's `<id:>` takes any run of digits, so /forum/t/99999999999999999999/ reaches the view with a
number no database column holds. `<id:>` matches 1 to 18 digits (below 2**63), so such a URL is a 404
at the resolver. Registered once, when portal/core/apps.py is loaded, before any models, hooks or URLconf."""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


def register() -> None:
    register_converter(IdConverter, "id")
