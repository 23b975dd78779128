"""What communities gives decision support (portal.insights): each community's population, and finding
the community of a page (polls, services and organisations are pages under a community's home page)."""

from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from portal.insights import registry
from portal.insights.registry import LEVEL, Figure, Section

from .models import Community


def community_roots() -> dict[str, int]:
    """{home page path: community id}."""
    return dict(Community.objects.values_list("root_page__path", "pk"))


def community_of_path(path: str, roots: dict[str, int]) -> int | None:
    """The community whose home page `path` is, or is under."""
    for end in range(Page.steplen, len(path) + 1, Page.steplen):
        found = roots.get(path[:end])
        if found is not None:
            return found
    return None


def population(start, end):
    """The population staff entered (the current figure: a count's result is not kept by date)."""
    for community_id, value in Community.objects.filter(population__isnull=False).values_list("pk", "population"):
        yield community_id, "", 0, value


def register():
    registry.register_section(Section("participation", _("Participation"), order=20))
    registry.register_sources("communities", Community)
    registry.register(
        Figure(
            "communities.population",
            _("Population (entered by staff)"),
            "participation",
            LEVEL,
            population,
            order=0,
        )
    )
