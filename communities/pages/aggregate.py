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


def gather(pages, limit: int, window: int | None = None) -> list[Gathered]:
    """Up to `limit` items from the first `window` of `pages` (a queryset, newest first; all of it without a
    window), duplicates by title folded into one. The window is read as values and only the pages listed
    become page objects (one query more): at 700 communities making every page of the window an object was
    a fifth of the city home's CPU."""
    from wagtail.models import Page

    rows = list((pages[:window] if window else pages).values_list("pk", "title", "path"))
    # the communities whose root is an ancestor of a listed page: one query on the pages' path prefixes
    prefixes = {path[:end] for _pk, _title, path in rows for end in range(Page.steplen, len(path), Page.steplen)}
    roots = dict(Community.objects.filter(root_page__path__in=prefixes).values_list("root_page__path", "name"))
    lengths = sorted({len(path) for path in roots}, reverse=True)
    items: dict[str, tuple[int, list[str]]] = {}
    for pk, title, path in rows:
        name = next((roots[path[:n]] for n in lengths if path[:n] in roots), "")
        key = " ".join(title.split())
        if key not in items:
            if len(items) == limit:
                continue
            items[key] = (pk, [])
        names = items[key][1]
        if name and name not in names:
            names.append(name)
    listed = pages.in_bulk([pk for pk, _names in items.values()])
    return [Gathered(listed[pk], names) for pk, names in items.values() if pk in listed]
