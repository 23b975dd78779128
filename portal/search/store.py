"""Writing the index: indexers' documents become SearchDocument rows, and the engine indexes them."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from . import places, registry
from .backends import get_engine
from .models import SearchDocument
from .registry import Document

FIELDS = [
    "updated_at",
    "community_id",
    "street_id",
    "district_id",
    "public",
    "visible_from",
    "visible_until",
    "date",
    "heading",
    "title_prefix",
    "text",
    "path",
    "admin_path",
]


def _row(kind: str, key: str, doc: Document) -> SearchDocument:
    place = places.place(doc.community_id)
    return SearchDocument(
        updated_at=timezone.now(),
        kind=kind,
        object_id=key,
        community_id=doc.community_id,
        street_id=place.street_id if place else None,
        district_id=place.district_id if place else None,
        public=doc.public,
        visible_from=doc.visible_from,
        visible_until=doc.visible_until,
        date=doc.date,
        heading=doc.title[:300],
        title_prefix=doc.title_prefix[:30],
        text=doc.text,
        path=doc.path[:500],
        admin_path=doc.admin_path[:500],
    )


def save(kind: str, documents: dict[str, Document | None], to_engine: bool = True) -> tuple[int, int]:
    """Write `{key: document}` of one kind (None removes the key). Returns (written, removed).
    `to_engine=False` writes the rows only (a rebuild indexes them all afterwards)."""
    rows = [_row(kind, key, doc) for key, doc in documents.items() if doc is not None]
    gone = [key for key, doc in documents.items() if doc is None]
    with transaction.atomic():
        if rows:
            SearchDocument.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["kind", "object_id"], update_fields=FIELDS
            )
            if to_engine:
                rows = list(SearchDocument.objects.filter(kind=kind, object_id__in=[r.object_id for r in rows]))
                get_engine().index(rows)
        removed = remove(kind, gone) if gone else 0
    return len(rows), removed


def remove(kind: str, keys: Iterable[str]) -> int:
    stale = list(SearchDocument.objects.filter(kind=kind, object_id__in=list(keys)))
    if stale:
        get_engine().remove(stale)
        SearchDocument.objects.filter(pk__in=[row.pk for row in stale]).delete()
    return len(stale)


def refresh(kind: str, keys: list[str], to_engine: bool = True) -> tuple[int, int]:
    """Re-read the items of one kind from their source and write what the index should hold of them."""
    indexer = registry.get(kind)
    if indexer is None:
        return 0, remove(kind, keys)
    found = {indexer.key(obj): obj for obj in indexer.get_queryset().filter(pk__in=keys)}
    documents = {}
    for key in keys:
        obj = found.get(str(key))
        documents[str(key)] = indexer.document(obj) if obj is not None else None
    return save(kind, documents, to_engine=to_engine)


def refresh_queryset(kind: str, queryset, batch: int = 500, progress=None, to_engine: bool = True) -> int:
    """Re-index every item of a queryset of one kind, in batches (repairs and rebuilds)."""
    done = 0
    keys = []
    for pk in queryset.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=2000):
        keys.append(str(pk))
        if len(keys) >= batch:
            refresh(kind, keys, to_engine)
            done += len(keys)
            if progress:
                progress(len(keys))
            keys = []
    if keys:
        refresh(kind, keys, to_engine)
        done += len(keys)
        if progress:
            progress(len(keys))
    return done


def rows_in_batches(batch: int = 1000):
    """Every SearchDocument row, in primary-key order, a batch at a time (for engine rebuilds)."""
    last = 0
    while True:
        rows = list(SearchDocument.objects.filter(pk__gt=last).order_by("pk")[:batch])
        if not rows:
            return
        yield rows
        last = rows[-1].pk
