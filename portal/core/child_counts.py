"""Which section pages a page listing's rows can still take, in one query for the whole listing.

Wagtail's explorer offers "Add child page" on each row it lists, and deciding it asks, for every page
type limited to one per parent (a community's notices, news, events, forum, ... sections), how many
such children the row has: one COUNT per type per row, so a street's listing of its communities cost
seven queries per community. `remember_child_counts` counts the children of all listed rows by type
in one query per tree level and keeps the answer on the row; `ChildCountsMixin.can_create_at` (on
the page types with `max_count_per_parent`) reads it there, and asks the database as Wagtail does
when a page was not listed.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.db.models.functions import Substr
from wagtail.models import Page, get_page_models

ATTRIBUTE = "_listed_child_counts"


def remember_child_counts(pages) -> None:
    """Count the children of each page by content type, one query per depth, and keep it on the page."""
    by_depth = {}
    for page in pages:
        if isinstance(page, Page):
            by_depth.setdefault(page.depth, {})[page.path] = page
    first, last = Page.alphabet[0] * Page.steplen, Page.alphabet[-1] * Page.steplen
    for depth, by_path in by_depth.items():
        length = depth * Page.steplen
        counts = {path: {} for path in by_path}
        # Each row's children as a range of paths one level deeper: one range of the (depth, path) index
        # each (portal_core migration 0001), not a scan of every page at that depth.
        children = Q()
        for path in by_path:
            children |= Q(path__range=(path + first, path + last))
        rows = (
            Page.objects.filter(children, depth=depth + 1)
            .annotate(parent_path=Substr("path", 1, length))
            .values("parent_path", "content_type")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            counts[row["parent_path"]][row["content_type"]] = row["n"]
        for path, page in by_path.items():
            setattr(page, ATTRIBUTE, counts[path])


def _content_type_ids(cls):
    # `parent.get_children().type(cls)` counts subclasses too.
    models = [model for model in get_page_models() if issubclass(model, cls)]
    return [content_type.pk for content_type in ContentType.objects.get_for_models(*models).values()]


class ChildCountsMixin:
    """For page types with `max_count_per_parent`: Wagtail's `can_create_at`, using counts a listing kept."""

    @classmethod
    def can_create_at(cls, parent):
        counts = getattr(parent, ATTRIBUTE, None)
        if counts is None or cls.max_count_per_parent is None:
            return super().can_create_at(parent)
        can_create = cls.is_creatable and cls.can_exist_under(parent)
        if cls.max_count is not None:
            can_create = can_create and cls.objects.count() < cls.max_count
        existing = sum(counts.get(pk, 0) for pk in _content_type_ids(cls))
        return can_create and existing < cls.max_count_per_parent
