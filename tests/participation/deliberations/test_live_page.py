"""The topic page: the tally is in the HTML (no script needed); the live script only while voting is open."""

import json
import re

from django.test import Client

from participation.deliberations import ballots

from .conftest import close_voting


def page(topic, user=None):
    client = Client(HTTP_HOST="a1.localhost", HTTP_ACCEPT_LANGUAGE="en")
    if user:
        client.force_login(user)
    return client.get(f"/deliberations/{topic.pk}/").content.decode()


def test_open_tally_is_in_the_page_with_bars_table_and_a_polite_live_region(city, make_topic, resident):
    topic = make_topic(city["a1"], secret=False)
    ballots.cast_vote(topic, resident(city["a1"]), topic.options.all()[0].pk)
    html = page(topic)
    assert f'data-live-path="/ws/deliberations/topic/{topic.pk}/"' in html and 'data-votes="1"' in html
    assert 'id="tally-status" role="status" aria-live="polite"' in html
    assert "tally-live.js" in html
    assert re.search(r'<meter class="share" min="0" max="100" value="100" aria-hidden="true">100%</meter>', html)
    assert "<caption>1 voted of 1 eligible</caption>" in html
    # The script renders pushed numbers with the page's own wording, in the page's language.
    wording = json.loads(re.search(r'<script id="tally-wording" type="application/json">(.*?)</script>', html).group(1))
    assert [o["label"] for o in wording["options"]] == [o.label for o in topic.options.all()]
    assert wording["voted_of"] == "%(voters)s voted of %(eligible)s eligible"
    assert wording["sealed_links"][0]["href"] == f"/deliberations/{topic.pk}/ballots.json"


def test_secret_ballot_page_shows_no_count_but_listens_for_the_close(city, make_topic, resident):
    topic = make_topic(city["a1"], secret=True)
    ballots.cast_vote(topic, resident(city["a1"]), topic.options.all()[0].pk)
    html = page(topic)
    assert "Results are shown when voting closes." in html and "<caption>" not in html
    assert 'data-votes="0"' in html and "data-live-path" in html


def test_sealed_topic_page_has_no_live_script(city, make_topic):
    topic = close_voting(make_topic(city["a1"], secret=False))
    html = page(topic)
    assert "Download the ballot log" in html
    assert "data-live-path" not in html and "tally-live.js" not in html
