"""Who answers a message: a registry of handlers, tried in order of priority.

portal.wechat imports nothing from communities or participation; they register their handlers
(the complaint dialogue, for instance) from `AppConfig.ready` with `register(handler, priority)`.
A handler gets (account, message) (a wechatpy message or event) and returns the text to answer,
"" to answer nothing (it has queued a task that answers later through the API), or None to let the
next handler try. The built-in ones below: following and unfollowing, the workers' keyword replies,
and last of all a search of the community's content (in a task).
"""

from collections.abc import Callable

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

Handler = Callable[..., str | None]
_registry: list[tuple[int, int, Handler]] = []

MAX_TEXT_LENGTH = 600  # a WeChat text reply holds 2048 bytes; keep well under it in UTF-8
SEARCH_RESULTS = 3


def register(handler: Handler, priority: int = 100) -> Handler:
    """Lower priority runs first; registering the same handler twice keeps one."""
    if not any(existing is handler for _p, _n, existing in _registry):
        _registry.append((priority, len(_registry), handler))
        _registry.sort(key=lambda entry: entry[:2])
    return handler


def unregister(handler: Handler) -> None:
    _registry[:] = [entry for entry in _registry if entry[2] is not handler]


def handlers() -> list[Handler]:
    return [handler for _p, _n, handler in _registry]


def dispatch(account, message) -> str | None:
    for handler in handlers():
        answer = handler(account, message)
        if answer is not None:
            return answer
    return None


def link(url: str, title: str) -> str:
    return f'<a href="{escape(url)}">{escape(title)}</a>'


def cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT_LENGTH else text[: MAX_TEXT_LENGTH - 1] + "…"


def site_root(account) -> str:
    from portal.search import places

    place = places.place(account.community_id)
    return place.root_url if place else ""


# The built-in handlers ------------------------------------------------------------------------------


def follow(account, message):
    from .models import Follower

    if message.type != "event" or message.event not in ("subscribe", "unsubscribe"):
        return None
    now = timezone.now()
    subscribed = message.event == "subscribe"
    stamp = {"subscribed_at": now} if subscribed else {"unsubscribed_at": now}
    Follower.objects.update_or_create(
        account=account, openid=message.source, defaults={"subscribed": subscribed, **stamp}
    )
    if not subscribed:
        return ""  # nobody reads an answer to unfollowing
    welcome = account.welcome_text.strip() or _("Welcome to %(name)s.") % {"name": account.community.name}
    root = site_root(account)
    lines = [welcome]
    if root:
        lines.append(link(root + "/", _("Visit the community's site")))
    return cut("\n".join(lines))


def keyword(account, message):
    from .models import KeywordReply

    if message.type == "text":
        words = message.content.strip()
    elif message.type == "event" and message.event == "click":
        words = (message.key or "").strip()  # menu clicks are answered like keywords
    else:
        return None
    if not words:
        return None
    from . import config

    replies = config.keyword_replies(account.community_id)  # this process's map: no query
    best = next((r for r in replies if r.match == KeywordReply.Match.EXACT and r.keyword == words), None)
    if best is None:  # the longest keyword the message contains
        contained = [r for r in replies if r.match == KeywordReply.Match.CONTAINS and r.keyword in words]
        best = max(contained, key=lambda r: len(r.keyword), default=None)
    if best is None:
        return None
    lines = [best.reply_text.strip()] if best.reply_text.strip() else []
    lines += [link(url, title) for url, title in config.reply_links(best)]
    return cut("\n".join(lines)) if lines else None


def search_answer(account, query: str) -> str:
    """The best few public items of the community for `query`, as links."""
    from portal.search.service import search_for_bot

    items = search_for_bot(query, account.community_id, limit=SEARCH_RESULTS)
    if not items:
        return _("Nothing on the community's site matches “%(query)s”. Try other words.") % {"query": query[:30]}
    lines = [_("From the community's site:")]
    lines += [link(item["url"], f"{item['kind_label']}：{item['title']}") for item in items]
    return cut("\n".join(lines))


def search(account, message):
    """Anything else typed: searched in a task, answered through the customer-service API."""
    from django.db import transaction

    from .tasks import answer_by_search

    query = message.content.strip() if message.type == "text" else ""
    if not query:
        return None
    args = (account.pk, message.source, query[:100])
    transaction.on_commit(lambda: answer_by_search.enqueue(*args))
    return ""  # nothing to answer now: the callback says "success"


register(follow, priority=0)
register(keyword, priority=50)
register(search, priority=1000)
