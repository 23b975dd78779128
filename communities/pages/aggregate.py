"""Listings that gather pages of several communities (the city home, a street page).

Each item names its community; the same notice published by several communities (a city-wide
notice copied into each) is listed once, with the communities that carry it.
"""

from dataclasses import dataclass, field

from communities.regions.models import Community

MAX_NAMED = 3  # communities named on one item; the rest are counted


@dataclass
class Gathered:
    page: object
    communities: list[str] = field(default_factory=list)

    @property
    def named(self) -> list[str]:
        return self.communities[:MAX_NAMED]

    @property
    def more(self) -> int:
        return max(0, len(self.communities) - MAX_NAMED)


def gather(pages, limit: int) -> list[Gathered]:
    """Up to `limit` items from `pages` (newest first), duplicates by title folded into one."""
    from wagtail.models import Page

    pages = list(pages)
    # the communities whose root is an ancestor of a listed page: one query on the pages' path prefixes
    prefixes = {page.path[:end] for page in pages for end in range(Page.steplen, len(page.path), Page.steplen)}
    roots = dict(Community.objects.filter(root_page__path__in=prefixes).values_list("root_page__path", "name"))
    lengths = sorted({len(path) for path in roots}, reverse=True)
    items: dict[str, Gathered] = {}
    for page in pages:
        name = next((roots[page.path[:n]] for n in lengths if page.path[:n] in roots), "")
        key = " ".join(page.title.split())
        item = items.get(key)
        if item is None:
            if len(items) == limit:
                continue
            item = items[key] = Gathered(page)
        if name and name not in item.communities:
            item.communities.append(name)
    return list(items.values())
