"""What a vote costs in queries: the POST and the receipt page, exactly, whatever the number of ballots already
cast and of communities in the city (issue 20). A new query on this path fails here: count it in on purpose."""

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from participation.deliberations import ballots
from participation.deliberations.models import Ballot
from tests.communities.test_query_counts import grow_city_to

NONCE = re.compile(r'name="nonce" value="([^"]+)"')
TRANSACTION = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")

# session, user; the resident-action guard: the community's rule, the voter's membership; the topic, its
# options (the form); in the vote's transaction: the topic under the voters' lock (its chosen option and
# whether it is limited to buildings, in the same query), the one-time nonce (one DELETE), the voter's
# membership for the electorate, the roll, the ballot, the last commitment and the new one.
VOTE_POST = 13
COMMITMENT_LOCK = 1  # PostgreSQL: the advisory lock the commitment step takes (SQLite writes one at a time)
# the topic (its community from the site map), session, user: no menu, no settings, no notification count.
RECEIPT_PAGE = 3


def statements(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(TRANSACTION)]


def ready_voter(host, voter, topic) -> tuple[Client, dict]:
    client = Client(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(voter)
    page = client.get(f"/deliberations/{topic.pk}/").content.decode()
    return client, {"option": topic.options.first().pk, "nonce": NONCE.search(page).group(1)}


def vote_queries(host, voter, topic) -> tuple[list[str], list[str]]:
    """(the queries of the vote's POST, those of the receipt page it redirects to)."""
    client, data = ready_voter(host, voter, topic)
    with CaptureQueriesContext(connection) as post:
        response = client.post(f"/deliberations/{topic.pk}/vote/", data)
    assert response.status_code == 303, response.content.decode()[:500]
    with CaptureQueriesContext(connection) as receipt:
        page = client.get(response["Location"])
    assert page.status_code == 200 and re.search(r"<code>[A-Z2-9-]{24}</code>", page.content.decode())
    return statements(post), statements(receipt)


def cast_before(community, topic, resident, n):
    for _ in range(n):
        ballots.cast_vote(topic, resident(community), topic.options.first().pk)


def test_a_vote_and_its_receipt_cost_a_fixed_number_of_queries(city, make_topic, resident):
    expected_post = VOTE_POST + (COMMITMENT_LOCK if connection.vendor == "postgresql" else 0)
    few, many = make_topic(city["a1"]), make_topic(city["b1"])
    cast_before(city["a1"], few, resident, 1)
    cast_before(city["b1"], many, resident, 15)
    measured = {}
    for label, host, topic, community in (
        ("few", "a1.localhost", few, city["a1"]),
        ("many", "b1.localhost", many, city["b1"]),
    ):
        post, receipt = vote_queries(host, resident(community), topic)
        assert len(post) == expected_post, "\n".join(post)
        assert len(receipt) == RECEIPT_PAGE, "\n".join(receipt)
        measured[label] = (post, receipt)
    assert Ballot.objects.filter(topic=many).count() == 16
    # No query reads the ballots already cast (the commitment extends the last one).
    assert not any('FROM "deliberations_ballot"' in sql for sql in measured["many"][0])
    grow_city_to(8)
    post, receipt = vote_queries("a1.localhost", resident(city["a1"]), few)
    assert (len(post), len(receipt)) == (expected_post, RECEIPT_PAGE), "\n".join(post + receipt)


def test_the_first_vote_of_a_topic_also_asks_whether_ballots_came_before_it(city, make_topic, resident):
    expected_post = VOTE_POST + 1 + (COMMITMENT_LOCK if connection.vendor == "postgresql" else 0)
    topic = make_topic(city["a1"])
    post, _ = vote_queries("a1.localhost", resident(city["a1"]), topic)
    assert len(post) == expected_post, "\n".join(post)


def test_a_topic_limited_to_buildings_reads_them_in_the_vote(city, make_topic, resident):
    from participation.deliberations.models import TopicBuilding
    from portal.accounts.models import Building

    topic = make_topic(city["a1"])
    cast_before(city["a1"], topic, resident, 1)
    voter = resident(city["a1"])  # lives in 1号楼 (the resident fixture's building)
    TopicBuilding.objects.create(topic=topic, building=Building.objects.get(community=city["a1"], name="1号楼"))
    post, _ = vote_queries("a1.localhost", voter, topic)
    expected_post = VOTE_POST + 1 + (COMMITMENT_LOCK if connection.vendor == "postgresql" else 0)
    assert len(post) == expected_post, "\n".join(post)
    assert any('"deliberations_topicbuilding"' in sql for sql in post)


def test_the_light_receipt_page_is_translated_styled_and_keeps_elder_mode(city, make_topic, resident):
    topic = make_topic(city["a1"])
    cast_before(city["a1"], topic, resident, 1)
    client, data = ready_voter("a1.localhost", resident(city["a1"]), topic)
    client.cookies["elder_mode"] = "1"
    response = client.post(f"/deliberations/{topic.pk}/vote/", data)
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="zh-Hans">' in page and "您的投票已记录" in page and "跳到正文" in page
    assert "themes/base/portal.css" in page and "themes/base/elder.css" in page and "elder-mode" in page
    assert "社区a1" in page  # the site's name, in the title and the header
    assert 'class="site-nav"' not in page and "account-menu" not in page  # none of base.html's chrome
