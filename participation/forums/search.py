"""Forum threads (title and opening post) and replies in the search index, masked as on their pages.

Visitors find what they would see on the thread page: published, not deleted, in a published thread.
Moderation changes states with `QuerySet.update()` (no signal), so the forum's services call
`registry.index_later` for them (see services.py)."""

from django.utils.translation import gettext_lazy as _

from communities.pages.search import plain
from participation.content.markdown import mask_personal_data
from participation.moderation.models import ModerationState
from portal.search import registry
from portal.search.registry import Document, Indexer

from .models import Post, Thread


def _visible(item) -> bool:
    return item.moderation_state == ModerationState.PUBLISHED and item.deleted_at is None


class ThreadIndexer(Indexer):
    kind = "thread"
    label = _("Forum thread")
    model = Thread
    # Editing the opening post changes the thread's text.
    watch = {Post: lambda post: [post.thread_id] if post.number == 1 else []}

    def get_queryset(self):
        return Thread.objects.all()

    def document(self, thread):
        opening = Post.objects.filter(thread=thread, number=1).first()
        return Document(
            title=mask_personal_data(thread.title),
            text=plain(opening.body_html) if opening else "",
            community_id=thread.community_id,
            date=thread.created_at,
            path=thread.get_absolute_url(),
            public=_visible(thread) and (opening is None or _visible(opening)),
            admin_path=self.admin_path(thread),
        )


class PostIndexer(Indexer):
    """Replies; the opening post is part of its thread's document."""

    kind = "post"
    label = _("Forum reply")
    model = Post
    # A thread hidden, restored or renamed: its replies follow.
    watch = {Thread: "thread"}

    def get_queryset(self):
        return Post.objects.filter(number__gt=1).select_related("thread")

    def document(self, post):
        return Document(
            title=mask_personal_data(post.thread.title),
            title_prefix=str(_("Re: ")),
            text=plain(post.body_html),
            community_id=post.community_id,
            date=post.created_at,
            path=post.get_absolute_url(),
            public=_visible(post) and _visible(post.thread),
            admin_path=self.admin_path(post.thread),
        )


def thread_changed(thread) -> None:
    """A change made with update(): re-index the thread and its replies after commit."""
    registry.index_later(thread)
    registry.index_related_later("post", "thread", thread.pk)


registry.register(ThreadIndexer())
registry.register(PostIndexer())
