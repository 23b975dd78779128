"""Sections of a community site that apps add to its navigation beside its section pages.

An app registers `@hooks.register("register_community_section")` with a function of (request, site)
returning a Section, a list of them, or None where it has nothing to show on that site. Its answer is kept
per process, site and language with the site map (`portal.core.sites.memo`): it must depend on the site only,
not on the request's user or path (which section is current is worked out per request).
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


@dataclass
class AccountLink:
    """One entry of the account menu (我的) in the header."""

    key: str
    title: str
    url: str
    order: int = 100


def account_menu(request) -> list[AccountLink]:
    """The signed-in user's own pages: the portal's, and those apps add with the
    `register_account_menu_item` hook (a function of the request returning an AccountLink, a list of
    them, or None). Log out is not a link (it is a POST form in the header)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _
    from wagtail import hooks

    items = [
        AccountLink("account", _("My account"), reverse("accounts:me"), 10),
        AccountLink("notifications", _("Notifications"), reverse("notifications:list"), 50),
        AccountLink("data", _("My data"), reverse("accounts:my_data"), 60),
    ]
    for make_items in hooks.get_hooks("register_account_menu_item"):
        added = make_items(request) or []
        items.extend(added if isinstance(added, list) else [added])
    return sorted(items, key=lambda item: (item.order, item.key))


# The order residents know from the community sites: the header menu and the WeChat menu use it.
SECTION_ORDER = [
    "notices",
    "news",
    "events",
    "services",
    "forum",
    "microblog",
    "governance",
    "deliberations",
    "elections",
    "polls",
    "complaints",
    "mirror",
    "organisations",
]
