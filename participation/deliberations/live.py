"""Live tallies: what watchers of a topic are sent after each committed vote, and when voting closes.

A payload describes the whole tally (not a change) and carries a marker, `votes` (ballots counted)
plus `sealed`, that only grows: a client keeps the newest when pushes from two server processes
arrive out of order. While a secret ballot or a hidden result is open nothing is sent at all, not
even the turnout: the page shows none, and a number that moves with each vote tells when somebody
voted.
"""

import time

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from portal.live.push import group_name, push

from .models import Topic


def topic_group(topic_id) -> str:
    return group_name("deliberations", "topic", topic_id)


def marker(payload: dict) -> tuple[bool, int]:
    """Order of payloads: more ballots counted is newer, and the sealed result is newest of all."""
    return bool(payload.get("sealed")), int(payload.get("votes", 0))


def tally_payload(topic: Topic, committed_at: float | None = None) -> dict | None:
    """The tally as watchers may see it now, or None while it must stay hidden.

    `html` is the page's results block rendered in every site language (a few milliseconds), so the
    page shows exactly what a reload would, and one rendering serves every watcher.
    """
    from .views import described_results  # not at the top: views imports ballots, which imports this module

    if not topic.results_visible():
        return None
    from . import ballots

    result = ballots.live_result(topic)
    results = described_results(result, topic)
    html = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            html[code] = render_to_string("deliberations/_live_results.html", {"topic": topic, "results": results})
    payload = {
        "event": "tally",
        "topic": topic.pk,
        "votes": int(result["voters"]),
        "sealed": bool(topic.sealed_at),
        "counts": {key: int(count["votes"]) for key, count in result["counts"].items()},
        "html": html,
    }
    if committed_at is not None:
        payload["committed_at"] = committed_at
    return payload


def _after_commit(topic: Topic):
    def compute():
        return tally_payload(topic, committed_at=time.time())

    return compute


def tally_changed(topic: Topic) -> None:
    """Called inside the transaction that stored a vote: watchers get the tally once it commits."""
    if topic.results_visible():
        push(topic_group(topic.pk), _after_commit(topic))


def topic_sealed(topic: Topic) -> None:
    """Called inside the transaction that sealed the log: the final result, then the notifications."""
    from django.db import transaction

    from .tasks import notify_decided

    push(topic_group(topic.pk), _after_commit(topic))
    transaction.on_commit(lambda: notify_decided.enqueue(topic.pk))
