"""The database engine reads at most SEARCH_CANDIDATES matches: exact below, "n+" above, bounded work."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from portal.search import store
from portal.search.query import SearchRequest
from portal.search.registry import Document
from portal.search.service import search
from portal.search.text import parse_query

from .conftest import ELASTICSEARCH_URL

pytestmark = pytest.mark.skipif(bool(ELASTICSEARCH_URL), reason="the candidate cap is the database engine's")


@pytest.fixture
def parking(city, settings):
    """12 posts about 停车位 (8 in a1, 4 in b1; the newest is post 11) and 3 notices in a1, dated apart."""
    settings.SEARCH_CANDIDATES = 5
    now = timezone.now()

    def doc(community, i, days):
        return Document(
            title=f"停车位问题{i}",
            text="小区停车位不够，晚上停车难。",
            community_id=city[community].pk,
            date=now - timedelta(days=days),
            path=f"/p/{i}/",
            public=True,
        )

    store.save("post", {str(i): doc("a1" if i < 8 else "b1", i, 400 - i * 30) for i in range(12)})
    store.save("notice", {f"n{i}": doc("a1", 100 + i, 2) for i in range(3)})
    store.save("post", {"other": Document("停水通知", "明天停水。", city["a1"].pk, now, "/p/o/", True)})
    return city


def ask(**fields):
    fields.setdefault("scope", "city")
    return search(SearchRequest(query=parse_query("停车位"), **fields))


def test_below_the_cap_totals_and_facets_are_exact(parking, settings):
    settings.SEARCH_CANDIDATES = 100
    response = ask()
    assert (response.total, response.capped, response.facets_capped) == (15, False, False)
    assert response.kinds == {"post": 12, "notice": 3}
    assert sum(response.places.values()) == 15
    assert response.dates["week"] == 3 and response.dates["older"] == sum(400 - i * 30 >= 365 for i in range(12))
    local = ask(scope="community", scope_id=parking["b1"].pk)
    assert (local.total, local.capped, {h.object_id for h in local.hits}) == (4, False, {"8", "9", "10", "11"})


def test_above_the_cap_the_total_and_the_facets_say_at_least(parking):
    response = ask(per_page=10)
    assert (response.total, response.capped, response.facets_capped) == (5, True, True)
    assert sum(response.kinds.values()) == 5  # counted among the candidates: lower bounds
    assert len(response.hits) == 5 and {h.kind for h in response.hits} <= {"post", "notice"}


def test_a_chosen_facet_is_counted_again_among_its_own_matches(parking):
    response = ask(kinds=["notice"])
    assert (response.total, response.capped, response.facets_capped) == (3, False, True)
    assert {h.object_id for h in response.hits} == {"n0", "n1", "n2"}
    posts = ask(kinds=["post"], scope="community", scope_id=parking["b1"].pk)
    assert (posts.total, posts.capped) == (4, False)


def test_newest_first_is_the_newest_of_every_match_not_of_the_candidates(parking):
    response = ask(sort="date", kinds=["post"], per_page=3)
    assert response.capped
    assert [h.object_id for h in response.hits] == ["11", "10", "9"]


def test_the_page_shows_at_least_counts_above_the_cap(parking, host_client):
    client = host_client("localhost")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the visitor chose English
    html = client.get("/search/", {"q": "停车位"}).content.decode()
    assert "5+ results for" in html
    assert "(5+)" in html or "(4+)" in html or "(3+)" in html  # a kind's count among the candidates
    assert "Counted among the first 5 matches." in html
    exact = client.get("/search/", {"q": "停水"}).content.decode()
    assert "1 result for" in exact and "+)" not in exact and "Counted among" not in exact
