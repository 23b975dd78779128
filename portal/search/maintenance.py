"""Repairs and rebuilds of the search index (the management commands are thin wrappers)."""

import time
from dataclasses import dataclass

from django.utils import timezone

from . import registry, store
from .backends import get_engine
from .models import SearchDocument


@dataclass
class Stats:
    items: int
    removed: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0


def selection(kinds=None, community_ids=None):
    """[(indexer, queryset)] of what to re-read from the sources."""
    chosen = [registry.get(k) for k in kinds] if kinds else registry.indexers()
    out = []
    for indexer in chosen:
        if community_ids:
            for community_id in community_ids:
                out.append((indexer, indexer.for_community(community_id), community_id))
        else:
            out.append((indexer, indexer.get_queryset(), None))
    return out


def count(kinds=None, community_ids=None) -> int:
    return sum(qs.count() for _i, qs, _c in selection(kinds, community_ids))


def repair(kinds=None, community_ids=None, progress=None, to_engine=True, batch=500) -> Stats:
    """Re-read every item of these kinds (in these communities) from its source; drop the index's rows
    of items that are gone."""
    started = timezone.now()
    clock = time.monotonic()
    done = 0
    removed = 0
    for indexer, queryset, community_id in selection(kinds, community_ids):
        done += store.refresh_queryset(indexer.kind, queryset, batch=batch, progress=progress, to_engine=to_engine)
        stale = SearchDocument.objects.filter(kind=indexer.kind, updated_at__lt=started)
        if community_id is not None:
            stale = stale.filter(community_id=community_id)
        keys = list(stale.values_list("object_id", flat=True))
        if keys and to_engine:
            removed += store.remove(indexer.kind, keys)
        elif keys:
            removed += stale.delete()[0]
    if not kinds and not community_ids:
        # Rows of kinds nobody registers any more (an app was removed).
        gone = SearchDocument.objects.exclude(kind__in=[i.kind for i in registry.indexers()])
        removed += (
            gone.delete()[0]
            if not to_engine
            else sum(store.remove(k, [o]) for k, o in gone.values_list("kind", "object_id"))
        )
    return Stats(items=done, removed=removed, seconds=time.monotonic() - clock)


def rebuild(regenerate=True, progress=None, batch=1000) -> tuple[Stats | None, Stats, str]:
    """Regenerate every row from its source (optional), then rebuild the engine's index from the rows:
    for Elasticsearch, a new index behind the alias, swapped in when full."""
    regenerated = repair(progress=progress, to_engine=False) if regenerate else None
    engine = get_engine()
    clock = time.monotonic()
    total = 0

    def counted(batches):
        nonlocal total
        for rows in batches:
            total += len(rows)
            yield rows

    name = engine.rebuild(counted(store.rows_in_batches(batch)), progress=progress)
    return regenerated, Stats(items=total, removed=0, seconds=time.monotonic() - clock), name
