"""@mentions in what residents write: who is named (by username), for notifications and links."""

import re

from django.contrib.auth import get_user_model

MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_.\-]{2,40})")
MAX_MENTIONS = 10


def mentioned_names(text: str) -> list[str]:
    """The usernames mentioned in `text`, in order, each once, at most MAX_MENTIONS."""
    return list(dict.fromkeys(MENTION.findall(text or "")))[:MAX_MENTIONS]


def mentioned_users(text: str):
    """The active accounts mentioned in `text` (one query)."""
    names = mentioned_names(text)
    if not names:
        return get_user_model().objects.none()
    return get_user_model().objects.filter(username__in=names, is_active=True)
