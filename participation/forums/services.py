"""Writing to the forum: every change to posts and counters goes through here, inside a transaction."""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.content.markdown import mask_personal_data, render_markdown
from participation.content.mentions import mentioned_names, mentioned_users
from participation.moderation.models import ModerationState
from portal.accounts.personal_text import screen_public_text
from portal.core.cache import incr_or_create
from portal.core.statements import Statement
from portal.live.push import group_name, push
from portal.notifications.services import notify
from portal.search import registry

from . import search
from .models import Post, PostLike, PostRevision, Thread, ThreadRead, absolute_url, bump, touch

MAX_BODY = 20_000


class ForumError(Exception):
    """A request the forum refuses; the message is for the resident."""


def edit_window() -> timedelta:
    return timedelta(minutes=getattr(settings, "FORUM_EDIT_WINDOW_MINUTES", 30))


def read_cutoff():
    """Activity older than this counts as read, so read state is only kept for recent threads."""
    return timezone.now() - timedelta(days=getattr(settings, "FORUM_READ_TRACKING_DAYS", 30))


def thread_group(thread_id) -> str:
    return group_name("forum", "thread", thread_id)


def prior_posts(user, community) -> int:
    """How many published posts the user has in this community (up to 100: enough to decide 'new account')."""
    return (
        Post.objects.filter(author=user, community=community, moderation_state=ModerationState.PUBLISHED)
        .values("pk")[:100]
        .count()
    )


@transaction.atomic
def create_thread(*, community, category, author, title, body, state) -> Thread:
    title, body = screen_public_text(title), screen_public_text(body, markdown=True)
    thread = Thread.objects.create(
        community=community, category=category, author=author, title=title, moderation_state=state, last_number=1
    )
    post = Post.objects.create(
        community=community,
        thread=thread,
        number=1,
        author=author,
        body=body,
        body_html=render_markdown(body),
        moderation_state=state,
    )
    if state == ModerationState.PUBLISHED:
        notify_mentions(post)
    return thread


def check_can_reply(thread: Thread) -> None:
    if thread.deleted_at is not None or thread.moderation_state != ModerationState.PUBLISHED:
        raise ForumError(_("This thread is no longer available."))
    if thread.locked:
        raise ForumError(_("This thread is locked: no new replies."))


@transaction.atomic
def create_reply(*, thread_id, author, body, state, reply_to_number=None, quote_number=None) -> Post:
    """Number the reply under a row lock on its thread, and count it with F() in the same transaction."""
    body = screen_public_text(body, markdown=True)
    thread = Thread.objects.select_for_update().get(pk=thread_id)
    check_can_reply(thread)
    reply_to = _visible_post(thread, reply_to_number, author) if reply_to_number else None
    quote_of = _visible_post(thread, quote_number, author) if quote_number else None
    number = thread.last_number + 1
    post = Post.objects.create(
        community_id=thread.community_id,
        thread=thread,
        number=number,
        author=author,
        body=body,
        body_html=render_markdown(body),
        moderation_state=state,
        reply_to=reply_to,
        quote_of=quote_of,
    )
    published = state == ModerationState.PUBLISHED
    now = timezone.now()
    Thread.objects.filter(pk=thread.pk).update(last_number=number, **({"last_post_at": now} if published else {}))
    if published:
        bump(Thread, thread.pk, reply_count=1, version=1)
        announce(post)
    return post


def _visible_post(thread, number, user) -> Post:
    post = Post.objects.filter(thread=thread, number=number).select_related("author").first()
    if post is None or not post.is_visible_to(user):
        raise ForumError(_("The post you are replying to does not exist or was removed."))
    return post


def announce(post: Post) -> None:
    """Notify the people concerned (in the same transaction) and, after commit, the thread's readers."""
    notify_for_reply(post)
    push(thread_group(post.thread_id), {"event": "post", "number": post.number})


def notify_for_reply(post: Post) -> None:
    """Once per recipient per post, in order of what concerns them most."""
    thread = post.thread
    url = absolute_url(thread.community, post.get_absolute_url())
    key = f"forum.post.{post.pk}"
    name = post.author.public_name
    told = {post.author_id}
    candidates = []
    if post.quote_of_id:
        candidates.append((post.quote_of.author, "forum.quote", _("%(name)s quoted you in “%(title)s”")))
    if post.reply_to_id:
        candidates.append((post.reply_to.author, "forum.reply", _("%(name)s replied to your post in “%(title)s”")))
    candidates.append((thread.author, "forum.reply", _("%(name)s replied to your thread “%(title)s”")))
    for user, verb, text in candidates:
        if user.pk not in told:
            told.add(user.pk)
            notify(
                user,
                verb,
                text % {"name": name, "title": mask_personal_data(thread.title)},
                url=url,
                key=key,
                community=thread.community,
            )
    notify_mentions(post, already=told)


def notify_mentions(post: Post, already=frozenset()) -> None:
    if not mentioned_names(post.body):
        return
    url = absolute_url(post.community, post.get_absolute_url())
    title = mask_personal_data(post.thread.title)
    text = _("%(name)s mentioned you in “%(title)s”") % {"name": post.author.public_name, "title": title}
    for user in mentioned_users(post.body):
        if user.pk not in already and user.pk != post.author_id:
            notify(user, "forum.mention", text, url=url, key=f"forum.post.{post.pk}")


def check_can_edit(post: Post, user) -> None:
    if post.author_id != user.pk:
        raise ForumError(_("You can only edit your own posts."))
    if post.deleted_at is not None or post.moderation_state == ModerationState.HIDDEN:
        raise ForumError(_("This post was removed and can no longer be edited."))
    if timezone.now() - post.created_at > edit_window():
        raise ForumError(
            _("Posts can only be edited within %(minutes)d minutes.") % {"minutes": edit_window().total_seconds() // 60}
        )


@transaction.atomic
def edit_post(post: Post, user, body: str, state: str) -> Post:
    post = Post.objects.select_for_update().get(pk=post.pk)
    check_can_edit(post, user)
    body = screen_public_text(body, markdown=True)
    PostRevision.objects.create(post=post, body=post.body, edited_by=user)
    old_state = post.moderation_state
    post.body, post.body_html, post.edited_at = body, render_markdown(body), timezone.now()
    # An edit that needs review goes back to the queue; an edit never publishes a held post by itself.
    post.moderation_state = state if state == ModerationState.PENDING else old_state
    post.save(update_fields=["body", "body_html", "edited_at", "moderation_state"])
    touch(post.thread_id)
    if post.moderation_state != old_state:
        post.moderation_changed(old_state)
    return post


@transaction.atomic
def delete_post(post: Post, user) -> None:
    """Soft deletion by the author: the text stays for moderators; the thread shows a placeholder."""
    if post.author_id != user.pk:
        raise ForumError(_("You can only delete your own posts."))
    if post.deleted_at is not None:
        raise ForumError(_("This post was already deleted."))
    now = timezone.now()
    Post.objects.filter(pk=post.pk).update(deleted_at=now)
    if post.number == 1:
        Thread.objects.filter(pk=post.thread_id).update(deleted_at=now)
        search.thread_changed(post.thread)
    else:
        registry.index_later(post)
    post.thread.recount()


def like(post: Post, user) -> bool:
    """Like a post once. Returns False when the user had already liked it. The constraint decides, not an `if`."""
    if post.deleted_at is not None or post.moderation_state != ModerationState.PUBLISHED:
        raise ForumError(_("This post was removed and cannot be liked."))
    if post.author_id == user.pk:
        raise ForumError(_("You cannot like your own post."))
    try:
        with transaction.atomic():
            PostLike.objects.create(post=post, user=user)
            bump(Post, post.pk, like_count=1)
            bump(Thread, post.thread_id, like_count=1, version=1)
    except IntegrityError:
        return False
    notify_like(post, user)
    return True


def notify_like(post: Post, user) -> None:
    """Tell the author once per liker and post (unliking and liking again does not tell them twice)."""
    text = _("%(name)s liked your post in “%(title)s”") % {
        "name": user.public_name,
        "title": mask_personal_data(post.thread.title),
    }
    url = absolute_url(post.community, post.get_absolute_url())
    notify(post.author, "forum.like", text, url=url, key=f"forum.like.{post.pk}.{user.pk}")


@transaction.atomic
def unlike(post: Post, user) -> bool:
    deleted, _rows = PostLike.objects.filter(post=post, user=user).delete()
    if deleted:
        bump(Post, post.pk, like_count=-1)
        bump(Thread, post.thread_id, like_count=-1, version=1)
    return bool(deleted)


VIEW_FLUSH_EVERY = 10


def count_view(thread_id: int) -> None:
    """Views are counted in the cache and written to the thread every VIEW_FLUSH_EVERY views, so
    reading a thread is not a database write. (Views still in the cache are lost if it is flushed.)"""
    seen = incr_or_create(cache, f"forum:views:{thread_id}")
    if seen % VIEW_FLUSH_EVERY == 0:
        bump(Thread, thread_id, view_count=VIEW_FLUSH_EVERY)


def pending_views(thread: Thread) -> int:
    return (cache.get(f"forum:views:{thread.pk}") or 0) % VIEW_FLUSH_EVERY


def first_unread_number(thread: Thread, user) -> int | None:
    """The number of the first post the user has not read, or None when everything counts as read."""
    if thread.last_post_at < read_cutoff():
        return None
    row = ThreadRead.objects.filter(user=user, thread=thread).values_list("last_read_number", flat=True).first()
    if row is not None:
        return row + 1 if row < thread.last_number else None
    # Never opened (or purged): only what was posted after the cutoff is unread.
    return (
        Post.objects.filter(thread=thread, created_at__gte=read_cutoff())
        .order_by("number")
        .values_list("number", flat=True)
        .first()
    )


def _read_rows(user, thread):
    return ThreadRead.objects.filter(user_id=user, thread_id=thread).values_list("last_read_number")[:1]  # one row


_read_up_to = Statement(_read_rows)  # on every page of a thread a signed-in reader opens: compiled once


def mark_read(thread: Thread, user, up_to: int) -> None:
    """Remember the highest post number the user has seen; never move backwards. Reading what was read
    before (the common case) costs one read, no write."""
    now = timezone.now()
    read = _read_up_to.first(user=user.pk, thread=thread.pk)
    if read is None:
        ThreadRead.objects.bulk_create(
            [ThreadRead(user=user, thread=thread, last_read_number=up_to, updated_at=now)], ignore_conflicts=True
        )
    elif read < up_to:
        ThreadRead.objects.filter(user=user, thread=thread, last_read_number__lt=up_to).update(
            last_read_number=up_to, updated_at=now
        )


def unread_thread_ids(threads, user) -> set:
    """Which of these threads have posts the user has not read (one query)."""
    if not user.is_authenticated:
        return set()
    cutoff = read_cutoff()
    recent = [t for t in threads if t.last_post_at >= cutoff]
    reads = dict(ThreadRead.objects.filter(user=user, thread__in=recent).values_list("thread_id", "last_read_number"))
    return {t.pk for t in recent if reads.get(t.pk, 0) < t.last_number}


def purge_read_state() -> int:
    deleted, _rows = ThreadRead.objects.filter(updated_at__lt=read_cutoff()).delete()
    return deleted


def post_state_changed(post: Post, old_state: str) -> None:
    """A moderator hid, restored or approved a post: keep the thread and its counters in step."""
    if post.number == 1:
        Thread.objects.filter(pk=post.thread_id).update(moderation_state=post.moderation_state)
        search.thread_changed(post.thread)
    else:
        registry.index_later(post)
    post.thread.recount()
    if post.moderation_state == ModerationState.PUBLISHED and old_state == ModerationState.PENDING:
        Post.objects.filter(pk=post.pk).update(body_html=render_markdown(post.body))
        announce(post)
    else:
        push(thread_group(post.thread_id), {"event": "moderation", "number": post.number})


def thread_state_changed(thread: Thread, old_state: str) -> None:
    Post.objects.filter(thread=thread, number=1).update(moderation_state=thread.moderation_state)
    search.thread_changed(thread)
    touch(thread.pk)
    push(thread_group(thread.pk), {"event": "moderation", "number": 1})
