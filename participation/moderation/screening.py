"""Sensitive-word screening with an Aho-Corasick automaton (pyahocorasick).

Text and words are normalised the same way before matching: NFKC folds full-width forms into
half-width ones, case is folded, and every space, punctuation mark or symbol is dropped, so
"敏 感 词", "敏.感.词" and "ＢＡＤ" all match their plain forms. One automaton per community
(its words plus the city-wide ones) is built once per process and rebuilt when a word changes.
"""

import unicodedata
from dataclasses import dataclass, field

import ahocorasick
from django.core.cache import cache

from .models import SensitiveWord

VERSION_KEY = "moderation:words:version"
_automata: dict = {}


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PSZC")


@dataclass
class Screening:
    blocked: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.blocked and not self.review


def words_changed() -> None:
    """Invalidate every process's automata (called when a word is saved or deleted)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)


def _build(community_id):
    automaton = ahocorasick.Automaton()
    rows = SensitiveWord.objects.filter(community__isnull=True)
    if community_id is not None:
        rows = SensitiveWord.objects.filter(community_id=community_id) | rows
    for word, action in rows.values_list("word", "action"):
        key = normalise(word)
        if not key:
            continue
        # A word that both blocks and asks for review blocks.
        _, previous = automaton.get(key, (None, None))
        if previous != SensitiveWord.Action.BLOCK:
            automaton.add_word(key, (word, action))
    if len(automaton):
        automaton.make_automaton()
    return automaton


def automaton_for(community_id):
    version = cache.get(VERSION_KEY, 0)
    cached = _automata.get(community_id)
    if cached is None or cached[0] != version:
        cached = (version, _build(community_id))
        _automata[community_id] = cached
    return cached[1]


def screen(text: str, community=None) -> Screening:
    """Which blocking and which review words occur in `text` (for `community` and city-wide)."""
    automaton = automaton_for(getattr(community, "pk", community))
    result = Screening()
    if not len(automaton):
        return result
    for _end, (word, action) in automaton.iter(normalise(text)):
        bucket = result.blocked if action == SensitiveWord.Action.BLOCK else result.review
        if word not in bucket:
            bucket.append(word)
    return result
