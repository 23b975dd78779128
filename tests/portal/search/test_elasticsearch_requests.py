"""What the elasticsearch-dsl code sends, byte for byte in meaning: the mapping, the query with its
filters, facets, highlighting and paging, the bulk actions and the alias swap. Elasticsearch cannot run
here, so a recording server on a loopback socket plays it (fake_elasticsearch.py) and the real client
library talks to it over HTTP."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from portal.search.backends.elastic import ElasticEngine
from portal.search.query import SearchRequest
from portal.search.text import parse_query

from .fake_elasticsearch import FakeElasticsearch, search_response

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ALIAS = "test-portal"
pytestmark = pytest.mark.django_db  # the segmenter reads the community terms


@pytest.fixture
def fake():
    with FakeElasticsearch() as server:
        yield server


@pytest.fixture
def engine(fake):
    return ElasticEngine(fake.url, alias=ALIAS)


def row(kind="thread", object_id="7", heading="小区的垃圾分类做得不好", text="3号楼门口的垃圾桶总是满的", **extra):
    from portal.search.text import index_text

    values = {
        "kind": kind,
        "object_id": object_id,
        "community_id": 11,
        "street_id": 21,
        "district_id": 31,
        "public": True,
        "visible_from": None,
        "visible_until": None,
        "date": NOW - timedelta(days=2),
        "heading": heading,
        "title_prefix": "",
        "text": text,
        "path": f"/forum/t/{object_id}/",
        "admin_path": f"/admin/forum_threads/edit/{object_id}/",
    }
    values.update(extra)
    values["title"] = index_text(values["heading"])
    values["body"] = index_text(values["heading"] + "\n" + values["text"])
    return SimpleNamespace(**values)


def test_the_index_maps_segmented_words_on_whitespace_with_a_cjk_bigram_subfield(engine, fake):
    engine.ensure_index()
    (created,) = fake.state.of("PUT")
    assert created.path.startswith(f"/{ALIAS}-")
    body = created.body
    assert body["settings"]["analysis"]["analyzer"]["portal_words"] == {
        "type": "custom",
        "tokenizer": "whitespace",
        "filter": ["lowercase"],
    }
    properties = body["mappings"]["properties"]
    for field in ("title", "body"):
        assert properties[field] == {
            "type": "text",
            "analyzer": "portal_words",
            "fields": {"cjk": {"type": "text", "analyzer": "cjk"}},
        }
    assert properties["kind"] == {"type": "keyword"}
    assert properties["key"] == {"type": "keyword"}
    assert properties["community_id"] == properties["street_id"] == properties["district_id"] == {"type": "long"}
    assert properties["date"] == {"type": "date"}
    assert properties["public"] == {"type": "boolean"}
    assert properties["heading"] == {"type": "keyword", "index": False, "doc_values": False}
    assert properties["text"] == {"type": "text", "index": False}
    (aliased,) = fake.state.of("POST", "/_aliases")
    assert aliased.body == {"actions": [{"add": {"index": created.path.strip("/"), "alias": ALIAS}}]}


def test_bulk_actions_index_and_delete_by_kind_and_id(engine, fake):
    engine.index([row(), row(object_id="8", heading="停车位太少")])
    (bulk,) = fake.state.of("PUT", "/_bulk")
    actions = bulk.body
    assert actions[0] == {"index": {"_index": ALIAS, "_id": "thread:7"}}
    source = actions[1]
    assert source["key"] == "thread:7" and source["kind"] == "thread" and source["community_id"] == 11
    assert source["title"] == "小区 的 垃圾分类 做 得 不好 垃圾 分类"
    assert "3 号 楼" in source["body"]
    assert source["heading"] == "小区的垃圾分类做得不好"
    assert actions[2] == {"index": {"_index": ALIAS, "_id": "thread:8"}}
    assert actions[3]["title"] == "停车位 太 少 停车 车位"
    engine.remove([row()])
    bulk = fake.state.of("PUT", "/_bulk")[-1]
    assert bulk.body == [{"delete": {"_index": ALIAS, "_id": "thread:7"}}]


def test_a_community_search_sends_words_bigrams_filters_facets_and_highlighting(engine, fake):
    engine.index([row()])
    request = SearchRequest(query=parse_query("垃圾分類"), scope="community", scope_id=11, now=NOW)
    response = engine.search(request)
    (sent,) = fake.state.of("POST", "/_search")
    assert sent.path == f"/{ALIAS}/_search"
    body = sent.body
    words_and_bigrams = body["query"]["bool"]["must"][0]["bool"]
    assert words_and_bigrams["minimum_should_match"] == 1
    words, bigrams = words_and_bigrams["should"]
    # 垃圾分類 (traditional) is searched as 垃圾分类, or as 垃圾 + 分类 where a text was cut that way.
    assert words == {
        "bool": {
            "must": [
                {
                    "bool": {
                        "should": [
                            {"multi_match": {"query": "垃圾分类", "fields": ["title^3", "body"]}},
                            {"multi_match": {"query": "垃圾 分类", "fields": ["title^3", "body"], "operator": "and"}},
                        ],
                        "minimum_should_match": 1,
                    }
                }
            ]
        }
    }
    assert bigrams == {
        "multi_match": {"query": "垃圾分类", "fields": ["title.cjk^2", "body.cjk"], "minimum_should_match": "75%"}
    }
    now = NOW.isoformat()
    assert body["query"]["bool"]["filter"] == [
        {"term": {"community_id": 11}},
        {"term": {"public": True}},
        {"bool": {"must_not": [{"range": {"visible_from": {"gt": now}}}]}},
        {"bool": {"must_not": [{"range": {"visible_until": {"lte": now}}}]}},
    ]
    assert "post_filter" not in body
    assert body["aggs"]["kinds"] == {"terms": {"field": "kind", "size": 50}}
    assert "places" not in body["aggs"]  # a community search has no place below it
    assert [r["key"] for r in body["aggs"]["dates"]["date_range"]["ranges"]] == ["week", "month", "year", "older"]
    assert body["aggs"]["dates"]["date_range"]["ranges"][0] == {
        "key": "week",
        "from": (NOW - timedelta(days=7)).isoformat(),
    }
    assert body["highlight"] == {
        "pre_tags": ["\ue000"],
        "post_tags": ["\ue001"],
        "fragment_size": 120,
        "number_of_fragments": 3,
        "fields": {"title": {}, "body": {}, "title.cjk": {}, "body.cjk": {}},
    }
    assert body["sort"] == ["_score", {"date": {"order": "desc"}}, {"key": {"order": "asc"}}]
    assert body["track_total_hits"] is True and body["size"] == 10 and body["from"] == 0
    assert body["_source"] == {"excludes": ["title", "body"]}
    # and the answer is read back
    assert response.total == 1 and response.hits[0].title == "小区的垃圾分类做得不好"
    assert response.kinds == {"thread": 1}


def test_chosen_facets_filter_after_the_aggregations_and_a_city_search_counts_by_district(engine, fake):
    engine.index([row()])
    request = SearchRequest(
        query=parse_query("停车"),
        scope="city",
        kinds=["thread", "post"],
        date_range="month",
        place=("district", 31),
        now=NOW,
    )
    response = engine.search(request)
    body = fake.state.of("POST", "/_search")[0].body
    assert [f for f in body["query"]["bool"]["filter"] if "term" in f and "community_id" in f["term"]] == []
    assert body["post_filter"] == {
        "bool": {
            "filter": [
                {"terms": {"kind": ["thread", "post"]}},
                {"range": {"date": {"gte": (NOW - timedelta(days=30)).isoformat()}}},
                {"term": {"district_id": 31}},
            ]
        }
    }
    assert body["aggs"]["places"] == {"terms": {"field": "district_id", "size": 200}}
    assert response.places == {31: 1}


def test_staff_search_filters_by_their_communities_not_by_visibility(engine, fake):
    engine.index([row(public=False)])
    engine.search(SearchRequest(query=parse_query("垃圾"), scope="city", staff_communities=[11, 12], now=NOW))
    body = fake.state.of("POST", "/_search")[0].body
    assert body["query"]["bool"]["filter"] == [{"terms": {"community_id": [11, 12]}}]


def test_a_phrase_and_sorting_by_date_and_search_after(engine, fake):
    engine.index([row()])
    request = SearchRequest(
        query=parse_query("3号楼"), sort="date", after=["2026-05-30T12:00:00+00:00", "thread:7"], now=NOW
    )
    engine.search(request)
    body = fake.state.of("POST", "/_search")[0].body
    clause = body["query"]["bool"]["must"][0]["bool"]["should"][0]["bool"]["must"][0]
    assert clause == {"multi_match": {"query": "3 号 楼", "fields": ["title^3", "body"], "type": "phrase"}}
    assert body["sort"] == [{"date": {"order": "desc"}}, {"key": {"order": "asc"}}]
    assert body["search_after"] == ["2026-05-30T12:00:00+00:00", "thread:7"]
    assert "from" not in body


def test_highlights_and_the_cursor_come_back_from_the_answer(engine, fake):
    source = {k: v for k, v in vars(row()).items() if k not in ("title", "body")}
    source["date"] = source["date"].isoformat()
    source["key"] = "thread:7"
    fake.state.search_response = search_response(
        [
            {
                "_index": f"{ALIAS}-1",
                "_id": "thread:7",
                "_score": 3.2,
                "_source": source,
                "sort": [3.2, 1780000000000, "thread:7"],
                "highlight": {"body": ["小区 的 \ue000垃圾\ue001 \ue000分类\ue001 做 得"]},
            }
        ],
        aggregations={
            "kinds": {"buckets": [{"key": "thread", "doc_count": 1}]},
            "dates": {"buckets": [{"key": "week", "doc_count": 1}]},
        },
        total=41,
    )
    request = SearchRequest(query=parse_query("垃圾分类"), scope="community", scope_id=11, per_page=1, now=NOW)
    response = engine.search(request)
    (hit,) = response.hits
    assert {"垃圾", "分类", "垃圾分类"} <= set(hit.terms)
    assert response.total == 41
    assert response.cursor == [3.2, 1780000000000, "thread:7"]
    assert response.dates == {"week": 1, "month": 0, "year": 0, "older": 0}


def test_a_rebuild_fills_a_new_index_then_swaps_the_alias_in_one_request(engine, fake):
    engine.ensure_index()
    old = next(iter(fake.state.aliases[ALIAS]))
    fake.state.requests.clear()
    done = []
    name = engine.rebuild([[row()], [row(object_id="8")]], progress=done.append)
    assert done == [1, 1]
    methods = [(r.method, r.path) for r in fake.state.requests]
    assert methods[0] == ("PUT", f"/{name}")
    assert ("PUT", f"/{name}/_settings") in methods
    bulks = [r for r in fake.state.requests if r.path == "/_bulk"]
    assert {a["index"]["_index"] for b in bulks for a in b.body if "index" in a} == {name}
    swap = fake.state.of("POST", "/_aliases")[-1]
    assert swap.body == {
        "actions": [{"remove": {"index": old, "alias": ALIAS}}, {"add": {"index": name, "alias": ALIAS}}]
    }
    assert methods.index(("POST", "/_aliases")) > max(i for i, m in enumerate(methods) if m[1] == "/_bulk")
    assert methods[-1] == ("DELETE", f"/{old}")
    assert fake.state.aliases[ALIAS] == {name}
    assert set(fake.state.indices) == {name}
