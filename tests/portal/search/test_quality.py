"""Search quality on a corpus of Chinese community content (corpus/), on the database backend.

Measured per query: recall@10 = |relevant ∩ top 10| / min(|relevant|, 10), and whether the first
result is one that should come first. Goals: mean recall@10 ≥ 0.9, first result right for ≥ 80%
of the queries. Both figures are printed (pytest -s, or in the captured output of a failure).
"""

from collections import Counter

import pytest

from portal.search import store
from portal.search.query import SearchRequest
from portal.search.registry import Document
from portal.search.service import search
from portal.search.text import parse_query

from .corpus.build import KINDS, build
from .corpus.queries import QUERIES

RECALL_GOAL = 0.9
FIRST_GOAL = 0.8


def load(items, community_ids):
    by_kind = {}
    for item in items:
        kind, _sep, key = item.key.partition(":")
        by_kind.setdefault(kind, {})[key] = Document(
            title=item.title,
            text=item.text,
            community_id=community_ids[item.community],
            date=item.date,
            path=f"/{kind}/{key}/",
            public=True,
        )
    for kind, documents in by_kind.items():
        keys = list(documents)
        for start in range(0, len(keys), 500):
            store.save(kind, {k: documents[k] for k in keys[start : start + 500]})


def evaluate(items):
    by_key = {item.key: item for item in items}
    rows = []
    for query in QUERIES:
        response = search(SearchRequest(query=parse_query(query.text), scope="city", per_page=10, facets=False))
        top = [f"{hit.kind}:{hit.object_id}" for hit in response.hits]
        relevant = {item.key for item in items if query.relevant(item)}
        assert relevant, f"the corpus has nothing for {query.text!r}"
        recall = len(set(top) & relevant) / min(len(relevant), 10)
        first = bool(top) and query.first(by_key[top[0]])
        rows.append((query.text, recall, first, [by_key[k].title for k in top[:3]]))
    return rows


def test_the_corpus_has_at_least_300_items_of_every_kind_and_40_queries():
    counts = Counter(item.kind for item in build())
    assert set(counts) == set(KINDS)
    assert min(counts.values()) >= 300
    assert len(QUERIES) >= 40
    assert len({item.key for item in build()}) == sum(counts.values())


@pytest.mark.django_db
def test_search_quality_on_the_database_backend(city, capsys):
    items = build()
    load(items, [city["a1"].pk, city["b1"].pk, city["c1"].pk])
    rows = evaluate(items)
    recall = sum(r[1] for r in rows) / len(rows)
    first = sum(1 for r in rows if r[2]) / len(rows)
    with capsys.disabled():
        print(
            f"\nsearch quality ({len(items)} items, {len(rows)} queries): "
            f"recall@10 = {recall:.3f}, expected first result first = {first:.1%}"
        )
        for text, r, f, titles in rows:
            if r < 1 or not f:
                print(f"  {text!r}: recall@10 {r:.2f}, first {'ok' if f else 'WRONG'}; top: {titles}")
    assert recall >= RECALL_GOAL
    assert first >= FIRST_GOAL
