"""The segmenter's dictionary of community terms: a file shipped with the portal, plus the terms that
apps supply (workers add them in the admin; see `register_source`).

A change bumps a version in the shared cache, so every process rebuilds its segmenter within
`_Segmenter.CHECK_EVERY` seconds, and re-indexes what contains the new words (`tasks.reindex_containing`).
"""

from pathlib import Path

from django.core.cache import cache
from django.db import DatabaseError

TERMS_FILE = Path(__file__).parent / "data" / "community_terms.txt"
VERSION_KEY = "portal.search.dictionary.version"

_sources = []


def register_source(source):
    """`source()` returns the extra words (an iterable of str). Apps register from AppConfig.ready."""
    if source not in _sources:
        _sources.append(source)
    return source


def shipped_words() -> list[str]:
    lines = TERMS_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def words() -> list[str]:
    from .text import normalise

    found = []
    for word in shipped_words():
        found.append(normalise(word))
    for source in _sources:
        try:
            found.extend(normalise(w) for w in source())
        except DatabaseError:  # before migrations (no table yet) the shipped words still serve
            continue
    return [w for w in dict.fromkeys(found) if w.strip()]


def version():
    return cache.get(VERSION_KEY, 0)


def changed():
    """Call after the words changed: every process rebuilds its segmenter (this one at once)."""
    from .text import segmenter

    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)
    segmenter.forget()
