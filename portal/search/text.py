"""Chinese text for search: normalisation, word segmentation, query terms and highlighted snippets.

Indexing and querying go through the same two steps, so they always agree:

* `normalise`: NFKC (full-width letters and digits become half-width), lower case, traditional
  characters become simplified (OpenCC's t2s), control characters dropped.
* segmentation with rjieba (jieba's dictionary, in Rust) without the HMM guesser: a word that is not
  in the dictionary is cut into single characters the same way in every text, so a query cut the same
  way matches it as a phrase. The dictionary is jieba's plus the community terms (`dictionary`).

The indexed text of a field is its precise segmentation (positions kept, for phrases) followed by the
shorter dictionary words inside its long words (停车位 → 停车, 车位), so a query for 停车 finds
停车位 and 停车难.
"""

import functools
import html
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import opencc
import rjieba
from django.utils.safestring import SafeString, mark_safe

from . import dictionary

# Characters that make up words: letters and digits of every script, no underscore.
WORD = re.compile(r"[^\W_]+")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
ASCII_WORD = re.compile(r"[a-z0-9]+")
# Longest text indexed per field; longer bodies are cut (PostgreSQL limits a tsvector to 1 MB).
MAX_INDEXED_CHARS = 20_000

STOPWORDS = frozenset(
    line.strip()
    for line in (Path(__file__).parent / "data" / "stopwords.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)

_t2s = opencc.OpenCC("t2s.json")


class _Controls(dict):
    """str.translate's table: control and format characters (NUL, zero-width joiners, direction marks)
    become spaces, every other character itself; filled in as characters are met."""

    def __missing__(self, code: int):
        value = " " if unicodedata.category(chr(code)) in ("Cc", "Cf", "Cs", "Co") else code
        if len(self) < 100_000:
            self[code] = value
        return value


_controls = _Controls()


def _strip_controls(text: str) -> str:
    # Control and format characters carry no meaning here.
    return text.translate(_controls)


def normalise(text: str) -> str:
    """The form every text is compared in: half-width, lower case, simplified characters, no controls."""
    text = unicodedata.normalize("NFKC", _strip_controls(text or ""))
    return _t2s.convert(text.lower())


# --- the segmenter --------------------------------------------------------------------------------


class _Segmenter:
    """One rjieba instance per process, rebuilt when the community dictionary changes."""

    CHECK_EVERY = 30.0  # seconds between looks at the dictionary's version

    def __init__(self):
        self._lock = threading.Lock()
        self._jieba = None
        self._version = None
        self._checked = 0.0

    def get(self) -> rjieba.Jieba:
        now = time.monotonic()
        if self._jieba is not None and now - self._checked < self.CHECK_EVERY:
            return self._jieba
        with self._lock:
            version = dictionary.version()
            if self._jieba is None or version != self._version:
                jieba = rjieba.Jieba()
                for word in dictionary.words():
                    jieba.add_word(word, None, None)
                self._jieba, self._version = jieba, version
                _subwords.cache_clear()
            self._checked = now
            return self._jieba

    def forget(self):
        with self._lock:
            self._jieba = None
            _subwords.cache_clear()

    def recheck(self):
        """Compare the dictionary's version at the next use (a rebuild only if it changed)."""
        self._checked = 0.0


segmenter = _Segmenter()


def _words(tokens) -> list[str]:
    """Word tokens only (no spaces, punctuation or emoji); mixed ones split into their word parts."""
    out = []
    for token in tokens:
        if token.isalnum():  # the same characters as WORD's, and the common case
            out.append(token)
        else:
            out.extend(WORD.findall(token))
    return out


def cut(normalised: str) -> list[str]:
    """The precise segmentation of normalised text, words only."""
    return _words(segmenter.get().cut(normalised, False))


def subwords(word: str) -> list[str]:
    """The shorter dictionary words inside a long word (停车位 → 停车, 车位), without the word itself."""
    if len(word) < 3 or not CJK.match(word):
        return []
    return list(_subwords(word, segmenter.get()))


@functools.lru_cache(maxsize=50_000)
def _subwords(word: str, jieba) -> tuple[str, ...]:
    # Cleared when the segmenter changes (its dictionary did); the segmenter is part of the key too.
    return tuple(w for w in _words(jieba.cut_for_search(word, False)) if w != word and len(w) > 1)


def cover(word: str) -> list[str]:
    """Another way a text may hold a long word: its sub-words left to right (垃圾分类 → 垃圾 + 分类,
    中华人民共和国 → 中华 + 人民 + 共和国). Empty when the word has none, or they leave a character over."""
    subs = subwords(word)
    if not subs:
        return []
    parts, i = [], 0
    while i < len(word):
        longest = max((s for s in subs if word.startswith(s, i)), key=len, default=word[i])
        parts.append(longest)
        i += len(longest)
    # A single character left over (停车 + 位) would match far too much: no other way then.
    return parts if all(len(p) > 1 for p in parts) else []


def index_text(text: str) -> str:
    """What the search index stores for a text: its words separated by spaces, then the sub-words."""
    words = cut(normalise(text[:MAX_INDEXED_CHARS]))
    extra = [sub for word in words for sub in subwords(word)]
    return " ".join(words + extra)


# --- queries --------------------------------------------------------------------------------------


@dataclass
class Clause:
    """One part of a query that a document must match: a word, or a phrase of adjacent words.

    `alternatives` are other ways a document may hold it (垃圾分类 held as 垃圾 + 分类), each a list of
    words that must all be present."""

    words: list[str]
    alternatives: list[list[str]] = field(default_factory=list)

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    @property
    def surface(self) -> str:
        """The clause as it reads in a text: 3 号 楼 → 3号楼, but two Latin words keep their space."""
        out = self.words[0]
        for word in self.words[1:]:
            out += (" " if out[-1].isascii() and word[0].isascii() else "") + word
        return out


@dataclass
class ParsedQuery:
    text: str  # the normalised query, as shown back and sent to a bigram field
    clauses: list[Clause]

    @property
    def terms(self) -> list[str]:
        """Every word the query may match, for highlighting (longest first)."""
        seen = {c.surface for c in self.clauses} | {
            w for c in self.clauses for alt in c.alternatives for w in alt if len(w) > 1
        }
        return sorted(seen, key=lambda w: (-len(w), w))

    def __bool__(self):
        return bool(self.clauses)


def _is_weak(word: str) -> bool:
    """Single characters and numbers say little alone: they are searched as a phrase with a neighbour."""
    return len(word) == 1 or word.isdigit()


def _clauses_of_run(words: list[str]) -> list[Clause]:
    clauses: list[Clause] = []
    pending: list[str] = []  # weak words waiting for the next word to form a phrase
    for word in words:
        if _is_weak(word):
            pending.append(word)
            continue
        if pending:
            clauses.append(Clause(pending + [word]))
            pending = []
            continue
        parts = cover(word)
        clauses.append(Clause([word], [parts] if parts else []))
    if pending:
        if len(pending) == 1 and clauses and not clauses[-1].is_phrase and len(clauses[-1].words[0]) > 1:
            # 停车难 + 吗 → a trailing single character joins the word before it
            previous = clauses.pop()
            clauses.append(Clause(previous.words + pending))
        else:
            clauses.append(Clause(pending))
    return clauses


def parse_query(raw: str, max_clauses: int = 12) -> ParsedQuery:
    """Turn what a visitor typed into clauses. Punctuation, operators and emoji are plain separators."""
    text = " ".join(normalise(raw).split())
    clauses: list[Clause] = []
    for run in WORD.findall(text):
        words = cut(run)
        # One-character function words (的, 了) would glue neighbours into phrases: drop them first.
        content = [w for w in words if not (len(w) == 1 and w in STOPWORDS)] or words
        clauses.extend(_clauses_of_run(content))
    if len(clauses) > 1:
        meaningful = [c for c in clauses if not (len(c.words) == 1 and c.words[0] in STOPWORDS)]
        clauses = meaningful or clauses
    return ParsedQuery(text=text, clauses=clauses[:max_clauses])


# --- snippets -------------------------------------------------------------------------------------


def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index of the original character."""
    pieces, positions = [], []
    for i, char in enumerate(text):
        n = unicodedata.normalize("NFKC", char).lower()
        if len(n) == 1:
            n = _t2s.convert(n) if CJK.match(n) else n
        pieces.append(n)
        positions.extend([i] * len(n))
    return "".join(pieces), positions


def _spans(normalised: str, terms: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) of the terms in the normalised text; longer terms first."""
    taken = [False] * len(normalised)
    spans = []
    for term in terms:
        if not term:
            continue
        start = normalised.find(term)
        while start != -1:
            end = start + len(term)
            ascii_term = ASCII_WORD.fullmatch(term)
            bounded = not ascii_term or (
                (start == 0 or not normalised[start - 1].isascii() or not normalised[start - 1].isalnum())
                and (end == len(normalised) or not normalised[end].isascii() or not normalised[end].isalnum())
            )
            if bounded and not any(taken[start:end]):
                spans.append((start, end))
                for i in range(start, end):
                    taken[i] = True
            start = normalised.find(term, start + 1)
    return sorted(spans)


def highlight(text: str, terms: list[str], length: int = 140) -> SafeString:
    """An escaped excerpt of `text` around the first match, the matched words wrapped in <mark>."""
    text = " ".join((text or "").split())
    normalised, positions = _normalised_with_map(text)
    spans = [(positions[s], positions[e - 1] + 1) for s, e in _spans(normalised, terms)]
    start = 0
    if spans and spans[0][0] > length // 3:
        start = spans[0][0] - length // 3
    end = min(len(text), start + length)
    out = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[cursor:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        cursor = e
    out.append(html.escape(text[cursor:end]))
    if end < len(text):
        out.append("…")
    return mark_safe("".join(out))
