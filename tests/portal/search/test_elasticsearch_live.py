"""Against a real Elasticsearch 8, end to end: set ELASTICSEARCH_URL (see README). Skipped otherwise;
with it set, every other search test (test_search, test_visibility, test_bad_input, test_indexing,
test_quality) runs against Elasticsearch too."""

import pytest
from django.core.management import call_command

from portal.search.backends import get_engine
from portal.search.query import SearchRequest
from portal.search.service import search
from portal.search.text import parse_query

from .conftest import ELASTICSEARCH_URL
from .helpers import add_notice

pytestmark = pytest.mark.skipif(
    not ELASTICSEARCH_URL, reason="needs a real Elasticsearch 8: set ELASTICSEARCH_URL=http://127.0.0.1:9200"
)


def test_the_engine_is_elasticsearch():
    assert get_engine().name == "elasticsearch"


def test_traditional_full_width_and_sub_words_find_their_items(city, committed):
    committed(add_notice, city["a1"], "小区的垃圾分类做得不好", "garbage")
    committed(add_notice, city["b1"], "３号楼停车位不够，停车难", "parking")
    for query, title in [
        ("垃圾分類", "小区的垃圾分类做得不好"),
        ("停车", "３号楼停车位不够，停车难"),
        ("3号楼", "３号楼停车位不够，停车难"),
    ]:
        hits = search(SearchRequest(query=parse_query(query))).hits
        assert [h.title for h in hits] == [title], query


def test_facets_and_a_rebuild_behind_the_alias(city, committed):
    committed(add_notice, city["a1"], "停水通知", "water-a1")
    committed(add_notice, city["c1"], "停水通知", "water-c1")
    response = search(SearchRequest(query=parse_query("停水")))
    assert response.total == 2 and response.kinds == {"notice": 2}
    assert sum(response.places.values()) == 2  # one per district
    before = get_engine().indices_behind_alias()
    call_command("rebuild_search_index", verbosity=0)
    after = get_engine().indices_behind_alias()
    assert before != after and len(after) == 1
    assert search(SearchRequest(query=parse_query("停水"))).total == 2
