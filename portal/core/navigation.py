"""Sections of a community site that apps add to its navigation beside its section pages.

An app registers `@hooks.register("register_community_section")` with a function of (request, site)
returning a Section, a list of them, or None where it has nothing to show on that site.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType


@dataclass
class Section:
    key: str
    title: str
    url: str
    current: bool = False


def is_community_site(site) -> bool:
    """True for a community's own site (its root is a community home), without a query."""
    from django.apps import apps

    home_model = apps.get_model("community_pages", "CommunityHomePage")
    return site.root_page.content_type_id == ContentType.objects.get_for_model(home_model).pk
