"""Site search: the current site's live pages, paged, with the query kept."""

from .helpers import add_notice


def test_search_finds_live_pages_of_this_community_only(city, host_client, committed):
    committed(add_notice, city["a1"], "停水通知", "water-a1")
    committed(add_notice, city["b1"], "停水通知", "water-b1")
    response = host_client("a1.localhost").get("/search/", {"q": "停水通知"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/notices/water-a1/"' in html
    assert "water-b1" not in html
    assert 'value="停水通知"' in html


def test_city_site_searches_every_community(city, host_client, committed):
    committed(add_notice, city["a1"], "停水通知", "water-a1")
    committed(add_notice, city["b1"], "停水通知", "water-b1")
    html = host_client("localhost").get("/search/", {"q": "停水通知"}).content.decode()
    assert "http://a1.localhost/notices/water-a1/" in html and "http://b1.localhost/notices/water-b1/" in html


def test_unpublished_pages_are_not_found(city, host_client, committed):
    notice = committed(add_notice, city["a1"], "停水通知", "water-a1")
    committed(notice.unpublish)
    html = host_client("a1.localhost").get("/search/", {"q": "停水通知"}).content.decode()
    assert "water-a1" not in html


def test_empty_and_overlong_queries_do_not_fail(city, host_client):
    client = host_client("a1.localhost")
    empty = client.get("/search/", {"q": "   "})
    assert empty.status_code == 200 and "search-results" not in empty.content.decode()
    long = client.get("/search/", {"q": "长" * 5000})
    assert long.status_code == 200
    assert "only its first 100 characters were used" in long.content.decode() or "100" in long.content.decode()


def test_result_pages_keep_the_query(city, host_client, committed):
    for i in range(12):
        committed(add_notice, city["a1"], f"停水 通知{i}", f"water-{i}")
    client = host_client("a1.localhost")
    html = client.get("/search/", {"q": "停水"}).content.decode()
    assert "?q=%E5%81%9C%E6%B0%B4&amp;page=2" in html
    second = client.get("/search/", {"q": "停水", "page": "2"}).content.decode()
    assert second.count('class="search-result"') == 2
