"""The base of every page kind in the search index: a live, public page of a community's site."""

import html
import time

from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_slug_changed, post_page_move

from portal.search import registry
from portal.search.registry import Document, Indexer


def plain(value) -> str:
    """Plain text of rich text or a string: tags dropped, entities decoded, whitespace collapsed."""
    text = html.unescape(strip_tags(str(value or "").replace("<", " <")))
    return " ".join(text.split())


_roots = {"at": 0.0, "by_path": {}}


def community_roots() -> dict[str, tuple[int, str]]:
    """{root page path: (community id, root page url_path)}, cached for a minute."""
    from communities.regions.models import Community

    now = time.monotonic()
    if now - _roots["at"] > 60 or not _roots["by_path"]:
        rows = Community.objects.values_list("pk", "root_page__path", "root_page__url_path")
        _roots["by_path"] = {path: (pk, url_path) for pk, path, url_path in rows}
        _roots["at"] = now
    return _roots["by_path"]


def forget_roots(**kwargs):
    _roots["at"] = 0.0


def community_of(page) -> tuple[int, str] | None:
    roots = community_roots()
    for end in range(Page.steplen, len(page.path) + 1, Page.steplen):
        found = roots.get(page.path[:end])
        if found:
            return found
    return None


class PageIndexer(Indexer):
    """Index a page type: set kind, label, model and `text_fields` (rich text or strings)."""

    text_fields: tuple[str, ...] = ()
    community_lookup = None

    def for_community(self, community_id):
        from communities.regions.models import Community

        root = Community.objects.get(pk=community_id).root_page
        return self.get_queryset().filter(path__startswith=root.path)

    def text(self, page) -> str:
        return "\n".join(plain(getattr(page, name, "")) for name in self.text_fields)

    def date(self, page):
        return page.first_published_at or page.latest_revision_created_at or timezone.now()

    def window(self, page):
        """(visible from, visible until): when visitors may find it. Wagtail's expiry by default."""
        return None, page.expire_at

    def document(self, page):
        found = community_of(page)
        if found is None:
            return None
        community_id, root_url_path = found
        visible_from, visible_until = self.window(page)
        return Document(
            title=page.title,
            text=self.text(page),
            community_id=community_id,
            date=self.date(page),
            path="/" + page.url_path[len(root_url_path) :],
            public=page.live and not page.get_view_restrictions().exists(),
            visible_from=visible_from,
            visible_until=visible_until,
            admin_path=self.admin_path(page),
        )


def _subtree_changed(page):
    for indexer in registry.indexers():
        if isinstance(indexer, PageIndexer):
            registry.index_related_later(indexer.kind, "path__startswith", page.path)


def _restriction_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        _subtree_changed(page)


def _moved(sender, instance, **kwargs):
    _subtree_changed(instance)


def connect():
    """Private pages leave the index and moved pages change address, with all their descendants."""
    post_save.connect(_restriction_changed, sender=PageViewRestriction, dispatch_uid="search-page-restriction")
    post_delete.connect(_restriction_changed, sender=PageViewRestriction, dispatch_uid="search-page-unrestrict")
    post_page_move.connect(_moved, dispatch_uid="search-page-moved")
    page_slug_changed.connect(_moved, dispatch_uid="search-page-slug")
    from communities.regions.models import Community

    post_save.connect(forget_roots, sender=Community, dispatch_uid="search-page-roots")
