"""Page-subtree filters that the index on wagtailcore_page.path can answer."""

from django.db.models import Q

PATH_MAX_LENGTH = 255  # wagtailcore_page.path
PATH_ALPHABET_LAST = "Z"  # treebeard's paths are 0-9 and A-Z


def below(page) -> Q:
    """The pages under `page`, as a range on `path`.

    Wagtail's `descendant_of` filters with `path LIKE 'xxx%'`, which SQLite (its LIKE ignores case)
    and PostgreSQL (outside the C collation) answer by scanning every page of the city.
    """
    return Q(path__gt=page.path, path__lte=page.path + PATH_ALPHABET_LAST * (PATH_MAX_LENGTH - len(page.path)))
