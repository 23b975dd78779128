"""A resident's threads and posts in their data export. After deletion they stay, shown as by a deleted user."""

from django.dispatch import receiver

from portal.accounts.signals import personal_data_requested

from .models import Post, Thread


@receiver(personal_data_requested)
def export_forum(sender, user, **kwargs):
    threads = Thread.objects.filter(author=user).order_by("created_at").values("id", "title", "created_at")
    posts = Post.objects.filter(author=user).order_by("created_at").values("thread_id", "number", "body", "created_at")
    return {
        "forum_threads": [{**t, "created_at": t["created_at"].isoformat()} for t in threads],
        "forum_posts": [{**p, "created_at": p["created_at"].isoformat()} for p in posts],
    }
