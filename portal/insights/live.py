"""Today's live figures, kept across requests.

A live figure (today, or a day not rolled up yet) is computed from the big tables; the city dashboard reads
a dozen of them at every load. Each computation is kept in the cache per part ("complaints", "forums": the
first word of a figure's key) under the part's generation, which the part's models bump on every save and
delete (`registry.register_sources`, called from the part's `AppConfig.ready()`), so a figure stays exact up
to the last event. Figures that change with time alone (a complaint becomes overdue when its deadline passes,
the active posters' 30 days move on) are at most LIVE_TTL seconds old. A part that registered no sources is
computed in every request (once per snapshot), as before.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

LIVE_TTL = 60  # seconds a live computation is reused when nothing of its part changed
PREFIX = "insights:live"
_watched: dict[str, set] = {}


def part_of(figure_key: str) -> str:
    return figure_key.split(".", 1)[0]


def watched(part: str) -> bool:
    return part in _watched


def _generation_key(part: str) -> str:
    return f"{PREFIX}:generation:{part}"


def generation(part: str) -> int:
    """The part's current generation (started at the clock, so a generation lost from the cache never
    comes back with old values under it)."""
    key = _generation_key(part)
    found = cache.get(key)
    if found is None:
        found = time.time_ns()
        if not cache.add(key, found, None):
            found = cache.get(key, found)
    return found


def bump(part: str) -> None:
    key = _generation_key(part)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, time.time_ns(), None)


def forget_all() -> None:
    """Every part's live figures computed again at the next request (after a bulk load that sent no signals;
    tests)."""
    for part in _watched:
        bump(part)


def _changed(part: str):
    def receiver(sender, **kwargs):
        bump(part)
        # Again once the transaction commits: a request that read the old rows in between and kept them
        # under the new generation is then not believed.
        transaction.on_commit(lambda: bump(part))

    return receiver


def watch(part: str, *models) -> None:
    """Bump `part`'s generation whenever one of `models` is saved or deleted."""
    seen = _watched.setdefault(part, set())
    for model in models:
        if model in seen:
            continue
        seen.add(model)
        receiver = _changed(part)
        uid = f"{PREFIX}:{part}:{model._meta.label}"
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}:save")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}:delete")


def cached(figure_key: str, start, end, up_to_now: bool, compute):
    """compute() for [start, end), kept across requests (for LIVE_TTL seconds at most) when the figure's part
    is watched. A run `up_to_now` (its end is the moment it was asked for) is kept as "up to now"."""
    part = part_of(figure_key)
    if not watched(part):
        return compute()
    until = "now" if up_to_now else end.isoformat()
    key = f"{PREFIX}:{part}:{generation(part)}:{figure_key}:{start.isoformat()}:{until}"
    return cache.get_or_set(key, compute, LIVE_TTL)
