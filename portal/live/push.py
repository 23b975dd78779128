"""Send a payload to a Channels group once the surrounding transaction has committed.

A watcher must never see an update that was rolled back, so every push waits for the commit.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

MESSAGE_TYPE = "live.update"


def group_name(*parts) -> str:
    """A valid Channels group name from parts: group_name("forum", "thread", 42) -> "forum.thread.42"."""
    return ".".join(str(part) for part in parts)


def send_now(group: str, payload) -> None:
    """Send `payload` now; a callable is called first (and a None it returns sends nothing)."""
    if callable(payload):
        payload = payload()
    layer = get_channel_layer()
    if layer is not None and payload is not None:
        async_to_sync(layer.group_send)(group, {"type": MESSAGE_TYPE, "payload": payload})


def push(group: str, payload) -> None:
    """Deliver `payload` (JSON-serialisable) to everyone in `group` after the current transaction commits.

    `payload` may be a function returning it (or None to send nothing): it is then computed after
    the commit, so it describes the committed state rather than what this transaction saw.

    Consumers coalesce: a burst of pushes reaches each client as at most a few messages a second,
    each carrying the latest payload, so payloads should describe state ("the last post is #57"),
    not deltas.
    """
    transaction.on_commit(lambda: send_now(group, payload))
