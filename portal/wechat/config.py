"""This process's map of WeChat configuration, so that a callback reads no configuration from the database.

The same mechanism as portal.core.sites: a generation number in the shared cache, bumped (now and after
commit) by the save and delete signals of the models it holds; a process reloads its map when the
generation moved or the map is older than sites.max_age() seconds. Holds each community's account (by
slug), its keyword replies with the links they answer with, and what upper apps register with
`register()` (the complaints' start words), so that a text message reads nothing from the database.
"""

import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.signals import page_published, page_unpublished, post_page_move

from portal.core.sites import max_age

GENERATION_KEY = "wechat:config:generation"

_current = None
_registered = {}  # name: loader() -> {community_id: value}


class ConfigMap:
    def __init__(self, generation):
        from .models import Account, KeywordReply

        self.generation = generation
        self.loaded_at = time.monotonic()
        self.accounts = {a.community.slug: a for a in Account.objects.select_related("community")}
        self.keywords = {}
        for reply in KeywordReply.objects.order_by("pk"):
            self.keywords.setdefault(reply.community_id, []).append(reply)
        self.links = _reply_links()
        self.registered = {name: loader() for name, loader in _registered.items()}

    def is_current(self, generation) -> bool:
        return generation == self.generation and time.monotonic() - self.loaded_at < max_age()


def current() -> ConfigMap:
    global _current
    generation = cache.get(GENERATION_KEY, 0)
    if _current is None or not _current.is_current(generation):
        _current = ConfigMap(generation)
    return _current


def _reply_links() -> dict:
    """{reply id: [(url, title), ...]} of the live pages each keyword reply links to, in their order."""
    from wagtail.models import Page

    from .models import KeywordReplyPage

    through = KeywordReplyPage.objects.order_by("sort_order", "pk").values_list("reply_id", "page_id")
    page_ids = {page_id for _reply, page_id in through}
    pages = {page.pk: page for page in Page.objects.live().filter(pk__in=page_ids).specific()}
    links = {}
    for reply_id, page_id in through:
        url = pages[page_id].get_full_url() if page_id in pages else None
        if url:
            links.setdefault(reply_id, []).append((url, pages[page_id].title))
    return links


def register(name: str, loader, models=()) -> None:
    """An upper app's per-community configuration in this map: `loader()` returns {community_id: value};
    saving or deleting a row of any of `models` renews the map. Read it with `registered_value()`."""
    _registered[name] = loader
    forget()
    for model in models:
        uid = f"wechat-config-{name}-{model._meta.label}"
        post_save.connect(changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}-delete")


def registered_value(name: str, community_id, default=None):
    return current().registered.get(name, {}).get(community_id, default)


def reply_links(reply) -> list[tuple[str, str]]:
    return current().links.get(reply.pk, [])


def account_for(slug: str):
    return current().accounts.get(slug)


def keyword_replies(community_id) -> list:
    return current().keywords.get(community_id, [])


def forget() -> None:
    global _current
    _current = None


_registered = {}  # name: loader() -> {community_id: value}


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def changed(**kwargs) -> None:
    if kwargs.get("update_fields") and set(kwargs["update_fields"]) <= {"last_message_at", "last_message"}:
        return
    forget()
    _bump()
    transaction.on_commit(_bump)


def connect() -> None:
    from .models import Account, KeywordReply, KeywordReplyPage

    for model in (Account, KeywordReply, KeywordReplyPage):
        post_save.connect(changed, sender=model, dispatch_uid=f"wechat-config-save-{model.__name__}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"wechat-config-delete-{model.__name__}")
    for name, signal in {"published": page_published, "unpublished": page_unpublished, "moved": post_page_move}.items():
        signal.connect(_page_changed, dispatch_uid=f"wechat-config-linked-page-{name}")
    pre_delete.connect(_page_changed, dispatch_uid="wechat-config-linked-page-deleted")  # before its links go


def _page_changed(sender, instance, **kwargs) -> None:
    """A page that a keyword reply links to was published, unpublished, moved or deleted: renew the map."""
    from wagtail.models import Page

    from .models import KeywordReplyPage

    if isinstance(instance, Page) and KeywordReplyPage.objects.filter(page_id=instance.pk).exists():
        changed()
