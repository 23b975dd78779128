"""What the search index holds, supplied from above.

`portal.search` imports nothing from `communities` or `participation`: each part registers an
`Indexer` for each kind it owns (from `AppConfig.ready`), and `communities` registers the places
(which community is in which street and district, its name and its site) with `register_places`.

Registering a kind takes a few lines (see docs/architecture.md, "Search"):

    class NoticeIndexer(Indexer):
        kind = "notice"
        label = _("Notice")
        model = NoticePage

        def document(self, notice):
            return Document(title=notice.title, text=..., community_id=..., date=..., path=..., public=...)

    registry.register(NoticeIndexer())

Saving or deleting a row of `model` re-indexes it after the transaction commits (a task, never in
the request). Changes made with `QuerySet.update()` send no signal: call `index_later(obj)` for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.db.models.signals import post_delete, post_save


@dataclass
class Document:
    """What the index keeps of one item. `text` is plain text (no HTML), personal data already masked."""

    title: str
    text: str
    community_id: int
    date: datetime
    path: str  # the item's URL on its community's site, from the root: /notices/water/
    public: bool  # may a visitor see it (time window aside)?
    visible_from: datetime | None = None
    visible_until: datetime | None = None
    admin_path: str = ""  # where staff edit it in the admin
    title_prefix: str = ""  # shown before a title borrowed from a parent (回复：); such a title is not searched


class Indexer:
    """One kind of searchable item. Subclass, set the attributes, implement `document`."""

    kind: str = ""
    label = ""  # a translatable name of the kind, singular
    model: type[models.Model] | None = None
    # Other models whose changes change this kind's documents: {Model: "lookup"} re-indexes the items
    # of this kind matching `lookup=<changed row's pk>` (for a thread's replies: {Thread: "thread"});
    # {Model: callable} re-indexes the keys `callable(changed row)` returns.
    watch: dict = {}
    community_lookup = "community"  # how to filter get_queryset() by community id, for repairs

    def get_queryset(self) -> models.QuerySet:
        """Everything of this kind that may be indexed (visible to visitors or not)."""
        return self.model._default_manager.all()

    def for_community(self, community_id: int) -> models.QuerySet:
        return self.get_queryset().filter(**{f"{self.community_lookup}_id": community_id})

    def document(self, obj) -> Document | None:
        """The document for `obj`, or None when it must not be in the index at all."""
        raise NotImplementedError

    def key(self, obj) -> str:
        return str(obj.pk)

    def admin_path(self, obj) -> str:
        """Where staff edit `obj` (Wagtail's admin URL finder knows pages, snippets and viewsets)."""
        from wagtail.admin.admin_url_finder import AdminURLFinder

        return AdminURLFinder().get_edit_url(obj) or ""

    def connect(self):
        """Re-index after save and delete of the model (and of the watched models)."""
        label = self.model._meta.label_lower
        post_save.connect(_saved, sender=self.model, weak=False, dispatch_uid=f"search-save-{label}")
        post_delete.connect(_deleted, sender=self.model, weak=False, dispatch_uid=f"search-delete-{label}")
        for model in self.watch:
            for signal in (post_save, post_delete):
                uid = f"search-watch-{model._meta.label_lower}"
                signal.connect(_watched, sender=model, weak=False, dispatch_uid=uid)


_indexers: dict[str, Indexer] = {}
_places: list[Callable[[], dict]] = []


def register(indexer: Indexer) -> Indexer:
    if not indexer.kind or indexer.model is None:
        raise ValueError("An indexer needs a kind and a model.")
    existing = _indexers.get(indexer.kind)
    if existing is not None and type(existing) is not type(indexer):
        raise ValueError(f"The search kind {indexer.kind!r} is already registered by {type(existing).__name__}.")
    if existing is None:
        _indexers[indexer.kind] = indexer
        indexer.connect()
    return indexer


def indexers() -> list[Indexer]:
    return list(_indexers.values())


def get(kind: str) -> Indexer | None:
    return _indexers.get(kind)


def kind_labels() -> dict[str, str]:
    return {kind: indexer.label for kind, indexer in _indexers.items()}


def for_model(model) -> list[Indexer]:
    """The indexers of rows of `model` (a page's specific class, or one of its parents)."""
    return [i for i in _indexers.values() if issubclass(model, i.model)]


def register_places(resolver: Callable[[], dict]) -> None:
    """`resolver()` returns {community_id: Place}; communities registers it (see places.py)."""
    if resolver not in _places:
        _places.append(resolver)


def places_resolver() -> Callable[[], dict] | None:
    return _places[0] if _places else None


# --- signals --------------------------------------------------------------------------------------


def _saved(sender, instance, raw=False, **kwargs):
    if not raw:
        index_later(instance)


def _deleted(sender, instance, **kwargs):
    for indexer in for_model(type(instance)):
        from .tasks import enqueue_removal

        enqueue_removal(indexer.kind, [indexer.key(instance)])


def _watched(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from .tasks import enqueue_related

    for indexer in _indexers.values():
        lookup = indexer.watch.get(sender)
        if callable(lookup):
            keys = [str(k) for k in lookup(instance)]
            if keys:
                from .tasks import enqueue_update

                enqueue_update(indexer.kind, keys)
        elif lookup:
            enqueue_related(indexer.kind, lookup, instance.pk)


def index_later(obj) -> None:
    """Re-index `obj` after the current transaction commits (for changes that send no signal)."""
    from .tasks import enqueue_update

    for indexer in for_model(type(obj)):
        enqueue_update(indexer.kind, [indexer.key(obj)])


def index_related_later(kind: str, lookup: str, value) -> None:
    """Re-index, after commit, every item of `kind` whose source matches `lookup=value`."""
    from .tasks import enqueue_related

    enqueue_related(kind, lookup, value)


def index_many_later(kind: str, keys: Iterable) -> None:
    from .tasks import enqueue_update

    enqueue_update(kind, [str(k) for k in keys])
