"""Index updates as tasks, enqueued when the transaction that changed an item commits.

Within one transaction every change of the same kind is gathered into one task, so publishing a page
(which saves it twice) or hiding a thread (and its opening post) re-indexes each item once.
"""

from django.db import transaction
from django_tasks import task

from . import registry, store


class _Batch:
    def __init__(self):
        self.updates: dict[str, set[str]] = {}
        self.removals: dict[str, set[str]] = {}
        self.related: set[tuple[str, str, str]] = set()
        self.sent = False

    def send(self):
        self.sent = True
        for kind, keys in self.updates.items():
            update_documents.enqueue(kind, sorted(keys))
        for kind, keys in self.removals.items():
            remove_documents.enqueue(kind, sorted(keys))
        for kind, lookup, pk in sorted(self.related):
            update_related.enqueue(kind, lookup, pk)


def _batch() -> _Batch | None:
    """The batch of the current transaction (None outside one: enqueue at once)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    batch = getattr(connection, "_search_batch", None)
    # A batch whose callback is no longer queued belongs to a transaction that committed or rolled back.
    queued = batch is not None and any(callback == batch.send for _sids, callback, *_ in connection.run_on_commit)
    if batch is None or batch.sent or not queued:
        batch = _Batch()
        connection._search_batch = batch
        transaction.on_commit(batch.send)
    return batch


def enqueue_update(kind: str, keys: list[str]) -> None:
    batch = _batch()
    if batch is None:
        update_documents.enqueue(kind, list(keys))
    else:
        batch.updates.setdefault(kind, set()).update(keys)


def enqueue_removal(kind: str, keys: list[str]) -> None:
    batch = _batch()
    if batch is None:
        remove_documents.enqueue(kind, list(keys))
    else:
        batch.removals.setdefault(kind, set()).update(keys)


def enqueue_related(kind: str, lookup: str, pk) -> None:
    batch = _batch()
    if batch is None:
        update_related.enqueue(kind, lookup, str(pk))
    else:
        batch.related.add((kind, lookup, str(pk)))


@task()
def update_documents(kind: str, keys: list[str]) -> list[int]:
    """Re-read these items and write what the index should hold of them (removing what it must not)."""
    return list(store.refresh(kind, keys))


@task()
def remove_documents(kind: str, keys: list[str]) -> int:
    return store.remove(kind, keys)


@task()
def update_related(kind: str, lookup: str, pk: str) -> int:
    """Re-index the items of `kind` that depend on a changed row (a thread's replies, a page's subtree)."""
    indexer = registry.get(kind)
    if indexer is None:
        return 0
    return store.refresh_queryset(kind, indexer.get_queryset().filter(**{lookup: pk}))


@task()
def reindex_containing(words: list[str]) -> int:
    """New dictionary words change how texts holding them are cut: re-index those texts."""
    from django.db.models import Q

    from .models import SearchDocument

    condition = Q()
    for word in words:
        condition |= Q(heading__icontains=word) | Q(text__icontains=word)
    if not words:
        return 0
    done = 0
    for kind in SearchDocument.objects.filter(condition).values_list("kind", flat=True).distinct():
        keys = list(SearchDocument.objects.filter(condition, kind=kind).values_list("object_id", flat=True))
        for start in range(0, len(keys), 500):
            store.refresh(kind, keys[start : start + 500])
        done += len(keys)
    return done
