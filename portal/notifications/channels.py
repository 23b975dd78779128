"""Delivery channels: what `notify()` records once is shown on the site and handed to every registered
channel (WeChat's template messages, for instance), after the transaction that recorded it commits.

A channel is `deliver(notification)`; it must be quick (it queues a task for anything slow) and never
raise into the action that caused the notification: an exception is logged and the others still run.
Apps register channels from `AppConfig.ready` with `register(deliver)`.
"""

import logging
from collections.abc import Callable

logger = logging.getLogger("portal.notifications")

_channels: list[Callable] = []


def register(deliver: Callable) -> Callable:
    if deliver not in _channels:
        _channels.append(deliver)
    return deliver


def unregister(deliver: Callable) -> None:
    if deliver in _channels:
        _channels.remove(deliver)


def channels() -> list[Callable]:
    return list(_channels)


def deliver(notification) -> None:
    for channel in channels():
        try:
            channel(notification)
        except Exception:  # a channel's failure never undoes or blocks what was recorded
            logger.exception("notification %s: the channel %s failed", notification.pk, channel.__qualname__)
