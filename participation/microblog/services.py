"""Writing to the microblog: every change to posts, comments and counters goes through here.

Text goes through the one content pipeline (`portal.accounts.personal_text.screen_public_text` as it is
stored, `participation.content.markdown.render_plain` for HTML); callers run the one moderation
(`participation.moderation.services.check_posting`) first and pass the state it decided.
"""

import re

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.content.markdown import mask_personal_data, render_plain
from participation.content.mentions import MENTION, mentioned_names, mentioned_users
from participation.content.uploads import store_image
from participation.moderation.models import ModerationState
from portal.accounts.personal_text import screen_public_text
from portal.core.links import site_url
from portal.live.push import group_name, push
from portal.notifications.services import notify
from portal.search import registry

from .models import MAX_IMAGES, MAX_TEXT, MicroComment, MicroImage, MicroLike, MicroPost, bump

# #话题#: up to 30 characters between two hash signs, no spaces or markup characters.
HASHTAG = re.compile(r"#([^#\s<>&\"'/\\]{1,30})#")
MAX_TAGS = 10


class MicroblogError(Exception):
    """A request the microblog refuses; the message is for the resident."""


def feed_group(community_id) -> str:
    return group_name("microblog", "community", community_id)


def hashtags(text: str) -> list[str]:
    return list(dict.fromkeys(m.strip() for m in HASHTAG.findall(text or "") if m.strip()))[:MAX_TAGS]


def tag_url(name: str) -> str:
    return reverse("microblog:tag", args=[name])


def render(text: str) -> str:
    """Safe HTML: masked, escaped, #话题# linked to its page, @username linked to the person's page."""
    people = {u.username: u.pk for u in mentioned_users(text)} if mentioned_names(text) else {}

    def linkify(escaped: str) -> str:
        escaped = HASHTAG.sub(lambda m: f'<a class="hashtag" href="{tag_url(m.group(1))}">#{m.group(1)}#</a>', escaped)

        def person(match):
            pk = people.get(match.group(1))
            if pk is None:
                return match.group(0)
            return f'<a class="mention" href="{reverse("microblog:person", args=[pk])}">@{match.group(1)}</a>'

        return MENTION.sub(person, escaped)

    return render_plain(text, linkify)


def prior_posts(user, community) -> int:
    """Published microblog posts and comments of the user in this community (up to 100), for the
    moderation's new-account rules."""
    published = {"author": user, "community": community, "moderation_state": ModerationState.PUBLISHED}
    posts = MicroPost.objects.filter(**published).values("pk")[:100].count()
    if posts >= 100:
        return posts
    return posts + MicroComment.objects.filter(**published).values("pk")[: 100 - posts].count()


def check_text(text: str, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise MicroblogError(_("Please write something."))
    if len(text) > MAX_TEXT:
        raise MicroblogError(
            _("The text is too long (%(n)d characters; at most %(max)d).") % {"n": len(text), "max": MAX_TEXT}
        )
    if "\x00" in text:
        raise MicroblogError(_("The text contains characters that cannot be stored."))
    return text


def original_of(post: MicroPost) -> MicroPost:
    """A repost of a repost reposts the original: the original author stays attributed."""
    return post.repost_of if post.repost_of_id and post.repost_of is not None else post


@transaction.atomic
def create_post(
    *, community, author, text, state, images=(), as_community=False, repost_of: MicroPost | None = None
) -> MicroPost:
    text = check_text(text, required=repost_of is None and not images)
    if len(images) > MAX_IMAGES:
        raise MicroblogError(_("At most %(n)d images per post.") % {"n": MAX_IMAGES})
    if repost_of is not None:
        repost_of = original_of(repost_of)
        if not repost_of.is_published or repost_of.deleted_at is not None:
            raise MicroblogError(_("This post is no longer available."))
    text = screen_public_text(text)
    post = MicroPost.objects.create(
        community=community,
        author=author,
        text=text,
        text_html=render(text),
        as_community=as_community,
        repost_of=repost_of,
        moderation_state=state,
    )
    for order, image in enumerate(images):
        stored = store_image(image, folder="microblog")
        MicroImage.objects.create(
            post=post, file=stored.name, width=stored.width, height=stored.height, sort_order=order
        )
    names = hashtags(text)
    if names:
        post.tags.set(names)
    if state == ModerationState.PUBLISHED:
        published(post)
    return post


def published(post: MicroPost, *, count: bool = True) -> None:
    """A post became visible: count the repost, tell the people concerned, and the feed's readers."""
    if post.repost_of_id:
        if count:
            bump(MicroPost, post.repost_of_id, repost_count=1)
        original = post.repost_of
        if original.author_id != post.author_id:
            notify(
                original.author,
                "microblog.repost",
                _("%(name)s reposted your post") % {"name": post.author.public_name},
                url=absolute(post),
                key=f"microblog.repost.{post.pk}",
            )
    notify_mentions(post, post.text, f"microblog.post.{post.pk}")
    push(feed_group(post.community_id), {"event": "post", "latest": post.pk})


def absolute(item) -> str:
    return site_url(item.community.site, item.get_absolute_url())


def speaker(item) -> str:
    """The name a post or comment is shown under."""
    if getattr(item, "as_community", False):
        return item.community.name
    return item.author.public_name


def notify_mentions(item, text: str, key: str, already=frozenset()) -> None:
    if not mentioned_names(text):
        return
    message = _("%(name)s mentioned you on the community microblog: “%(text)s”") % {
        "name": speaker(item),
        "text": mask_personal_data(text)[:60],
    }
    for user in mentioned_users(text):
        if user.pk not in already and user.pk != item.author_id:
            notify(user, "microblog.mention", message, url=absolute(item), key=key)


def check_can_comment(post: MicroPost) -> None:
    if post.deleted_at is not None or post.moderation_state != ModerationState.PUBLISHED:
        raise MicroblogError(_("This post is no longer available."))


@transaction.atomic
def create_comment(*, post: MicroPost, author, text, state, community) -> MicroComment:
    text = screen_public_text(check_text(text))
    post = MicroPost.objects.select_for_update().get(pk=post.pk)
    check_can_comment(post)
    comment = MicroComment.objects.create(
        community=community, post=post, author=author, text=text, text_html=render(text), moderation_state=state
    )
    if state == ModerationState.PUBLISHED:
        comment_published(comment)
    return comment


def comment_published(comment: MicroComment) -> None:
    post = comment.post
    bump(MicroPost, post.pk, comment_count=1)
    told = {comment.author_id}
    if post.author_id not in told:
        told.add(post.author_id)
        notify(
            post.author,
            "microblog.comment",
            _("%(name)s commented on your post") % {"name": comment.author.public_name},
            url=absolute(comment),
            key=f"microblog.comment.{comment.pk}",
        )
    notify_mentions(comment, comment.text, f"microblog.comment.{comment.pk}", already=told)
    push(feed_group(post.community_id), {"event": "comment", "post": post.pk})


def like(post: MicroPost, user) -> bool:
    """Like a post once; False when the user had already liked it. The constraint decides, not an `if`."""
    if post.deleted_at is not None or post.moderation_state != ModerationState.PUBLISHED:
        raise MicroblogError(_("This post is no longer available."))
    if post.author_id == user.pk and not post.as_community:
        raise MicroblogError(_("You cannot like your own post."))
    try:
        with transaction.atomic():
            MicroLike.objects.create(post=post, user=user)
            bump(MicroPost, post.pk, like_count=1)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def unlike(post: MicroPost, user) -> bool:
    deleted, _rows = MicroLike.objects.filter(post=post, user=user).delete()
    if deleted:
        bump(MicroPost, post.pk, like_count=-1)
    return bool(deleted)


@transaction.atomic
def delete_post(post: MicroPost, user) -> None:
    """Soft deletion by the author (or, for a community post, by its staff): moderators keep the text."""
    if post.deleted_at is not None:
        raise MicroblogError(_("This post was already deleted."))
    MicroPost.objects.filter(pk=post.pk).update(deleted_at=timezone.now(), pinned=False)
    if post.repost_of_id and post.is_published:
        bump(MicroPost, post.repost_of_id, repost_count=-1)
    registry.index_later(post)


@transaction.atomic
def delete_comment(comment: MicroComment) -> None:
    if comment.deleted_at is not None:
        raise MicroblogError(_("This comment was already deleted."))
    MicroComment.objects.filter(pk=comment.pk).update(deleted_at=timezone.now())
    if comment.is_published:
        bump(MicroPost, comment.post_id, comment_count=-1)


def set_pinned(post: MicroPost, pinned: bool) -> None:
    if pinned and not post.as_community:
        raise MicroblogError(_("Only the community's own posts can be pinned."))
    MicroPost.objects.filter(pk=post.pk).update(pinned=pinned)


def post_state_changed(post: MicroPost, old_state: str) -> None:
    """A moderator hid, restored or approved a post: counters, notifications and readers follow."""
    if post.repost_of_id:
        post.repost_of.recount()
    if post.moderation_state == ModerationState.PUBLISHED and old_state == ModerationState.PENDING:
        published(post, count=False)  # recount() above counted it
    else:
        push(feed_group(post.community_id), {"event": "moderation", "post": post.pk})


def comment_state_changed(comment: MicroComment, old_state: str) -> None:
    comment.post.recount()
    if comment.moderation_state == ModerationState.PUBLISHED and old_state == ModerationState.PENDING:
        notify_mentions(comment, comment.text, f"microblog.comment.{comment.pk}")
