"""Whatever is typed or crafted into the search URL, the answer is a normal page, never a 500."""

import pytest

from .helpers import add_notice

QUERIES = [
    "",
    "   ",
    "长" * 5000,
    "。，！？、；：“”‘’（）",
    "!!!???...",
    "😀👍🏽🇨🇳",
    '"',
    '"停水',
    "*",
    "停*",
    "OR",
    "停水 OR 停电",
    "-停水",
    "NEAR(停水 通知)",
    "NEAR(",
    "title:停水",
    "{title}: 停水",
    "AND NOT",
    "'; DROP TABLE wagtailsearch_indexentry; --",
    "停水\x00通知",
    "\x00",
    "\u200b\u200e\ufeff",
    "%",
    "\\",
    "停水' & '通知",
    "<script>alert(1)</script>",
    "１２３４５６７８９０",
    "a" * 300,
]
PARAMS = [
    {"kind": "<script>"},
    {"kind": ["notice", "nope"]},
    {"scope": "galaxy"},
    {"scope": "street"},
    {"page": "-3"},
    {"page": "abc"},
    {"page": "99999999999999999999"},
    {"place": "street:abc"},
    {"place": "district:-1"},
    {"place": "::"},
    {"date": "century"},
    {"sort": "random"},
    {"after": "[1,2"},
]


@pytest.fixture
def indexed(city, committed):
    committed(add_notice, city["a1"], "停水通知", "water")


@pytest.mark.parametrize("host", ["a1.localhost", "localhost"])
def test_every_query_gets_a_normal_page(indexed, host_client, host):
    client = host_client(host)
    for q in QUERIES:
        response = client.get("/search/", {"q": q})
        assert response.status_code == 200, q
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html


def test_every_bad_parameter_is_ignored(indexed, host_client):
    client = host_client("a1.localhost")
    for params in PARAMS:
        response = client.get("/search/", {"q": "停水", **params})
        assert response.status_code == 200, params
        assert 'href="/notices/water/"' in response.content.decode(), params


def test_invalid_utf8_and_nul_in_the_raw_query_string(indexed, host_client):
    client = host_client("a1.localhost")
    for raw in ("q=%FF%FE%FD", "q=%E5%81", "q=%00", "q=%E5%81%9C%E6%B0%B4%00", "q=%C0%AF", "q=&q=%E5%81%9C"):
        response = client.generic("GET", f"/search/?{raw}")
        assert response.status_code == 200, raw


def test_punctuation_only_says_there_is_nothing_to_look_for(indexed, host_client):
    html = host_client("a1.localhost").get("/search/", {"q": "？！。"}).content.decode()
    assert 'class="empty"' in html and "search-results" not in html


def test_the_query_is_capped_and_the_visitor_told(indexed, host_client, settings):
    settings.SEARCH_MAX_QUERY_LENGTH = 10
    response = host_client("a1.localhost").get("/search/", {"q": "停水" + "x" * 50})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="停水xxxxxxxx"' in html
    assert 'role="status"' in html


def test_matches_are_highlighted_and_escaped(city, committed, host_client):
    committed(add_notice, city["a1"], "<b>停水</b>通知", "water", body="停水 & <i>停电</i>")
    html = host_client("a1.localhost").get("/search/", {"q": "停水"}).content.decode()
    assert "<mark>停水</mark>" in html
    assert "<b>" not in html.split('id="search-count"')[1]
    assert "&lt;b&gt;" in html
