"""A resident's threads and posts in their data export. After deletion they stay, shown as by a deleted
user, with the person's data redacted (in their edits too) and the images they uploaded deleted."""

from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from portal.accounts import erasure, export
from portal.accounts.signals import personal_data_requested

from .models import Post, PostRevision, Thread

export.register_labels(
    {
        "forum_threads": _("Forum threads"),
        "forum_posts": _("Forum posts"),
        "thread_id": _("Thread"),
        "number": _("Post number"),
        "body": _("Text"),
    }
)
erasure.register_text(Thread, ["title"], own="author")
erasure.register_text(Post, ["body", "body_html"], own="author", media_in_text=True)
erasure.register_text(PostRevision, ["body"], own="post__author", media_in_text=True)


@receiver(personal_data_requested)
def export_forum(sender, user, **kwargs):
    threads = Thread.objects.filter(author=user).order_by("created_at").values("id", "title", "created_at")
    posts = Post.objects.filter(author=user).order_by("created_at").values("thread_id", "number", "body", "created_at")
    return {
        "forum_threads": [{**t, "created_at": t["created_at"].isoformat()} for t in threads],
        "forum_posts": [{**p, "created_at": p["created_at"].isoformat()} for p in posts],
    }
