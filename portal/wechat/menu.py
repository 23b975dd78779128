"""The account's custom menu, built from the community site's navigation (its in-menu section pages
and the sections apps add with `register_community_section`), within WeChat's limits: 3 buttons of
at most 16 bytes, each with at most 5 sub-buttons of at most 60 bytes."""

from django.test import RequestFactory
from django.utils.translation import gettext as _
from wagtail import hooks

from portal.core.navigation import SECTION_ORDER

MAX_BUTTONS = 3
MAX_SUB_BUTTONS = 5
BUTTON_BYTES = 16
SUB_BUTTON_BYTES = 60


def fit(name: str, limit: int) -> str:
    """`name` cut to `limit` bytes of UTF-8, on a character boundary."""
    while len(name.encode()) > limit:
        name = name[:-1]
    return name


def sections(site) -> list[tuple[str, str, str]]:
    """(key, title, absolute URL) of the site's navigation, in its order."""
    root = site.root_page
    base = site.root_url.rstrip("/")
    found = [
        (child.slug, child.title, f"{base}/{child.url_path[len(root.url_path) :]}")
        for child in root.get_children().live().in_menu()
    ]
    request = RequestFactory().get("/", HTTP_HOST=site.hostname)
    for make_sections in hooks.get_hooks("register_community_section"):
        added = make_sections(request, site) or []
        for section in added if isinstance(added, list) else [added]:
            found.append((section.key, str(section.title), base + section.url))

    def position(item):
        return SECTION_ORDER.index(item[0]) if item[0] in SECTION_ORDER else len(SECTION_ORDER)

    return sorted(found, key=position)


def build_menu(account) -> tuple[dict, list[str]]:
    """(the menu as WeChat's menu/create takes it, titles of sections that did not fit)."""
    found = sections(account.community.site)

    def view(title, url, limit):
        return {"type": "view", "name": fit(title, limit), "url": url}

    if len(found) <= MAX_BUTTONS:
        return {"button": [view(title, url, BUTTON_BYTES) for _key, title, url in found]}, []
    first = [view(title, url, BUTTON_BYTES) for _key, title, url in found[: MAX_BUTTONS - 1]]
    rest = found[MAX_BUTTONS - 1 :]
    more = {
        "name": fit(_("More"), BUTTON_BYTES),
        "sub_button": [view(title, url, SUB_BUTTON_BYTES) for _key, title, url in rest[:MAX_SUB_BUTTONS]],
    }
    return {"button": [*first, more]}, [title for _key, title, _url in rest[MAX_SUB_BUTTONS:]]
