"""Live tallies: what watchers of a topic are sent after each committed vote, and when voting closes.

A payload describes the whole tally (not a change) and carries a marker, `votes` (ballots counted)
plus `sealed`, that only grows: a client keeps the newest when pushes from two server processes
arrive out of order. While a secret ballot or a hidden result is open nothing is sent at all, not
even the turnout: the page shows none, and a number that moves with each vote tells when somebody
voted.
"""

import time

from portal.live.push import group_name, push

from .models import Topic

CHECK_FIELDS = ("rule", "unit", "met", "actual", "base", "strict", "needed", "margin", "reason")  # wording.describe's


def topic_group(topic_id) -> str:
    return group_name("deliberations", "topic", topic_id)


def marker(payload: dict) -> tuple[bool, int]:
    """Order of payloads: more ballots counted is newer, and the sealed result is newest of all."""
    return bool(payload.get("sealed")), int(payload.get("votes", 0))


def tally_payload(topic: Topic, committed_at: float | None = None) -> dict | None:
    """The tally as watchers may see it now, or None while it must stay hidden.

    Numbers only (a few hundred bytes, the same for every language): the page's script renders them
    with the page's own wording (`wording.client_wording`), as the server renders the results block.
    """
    if not topic.results_visible():
        return None
    from . import ballots

    result = ballots.live_result(topic)
    payload = {
        "event": "tally",
        "topic": topic.pk,
        "votes": int(result["voters"]),
        "eligible": int(result["eligible_headcount"]),
        "sealed": bool(topic.sealed_at),
        "counts": {key: int(count["votes"]) for key, count in result["counts"].items()},
        "leader": result["leader"],
        "passed": bool(result["passed"]),
        "checks": [{key: check[key] for key in CHECK_FIELDS} for check in result["checks"]],
    }
    if topic.majority == Topic.Majority.DOUBLE:
        payload["areas"] = {key: count["area"] for key, count in result["counts"].items()}
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
