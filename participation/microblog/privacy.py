"""A resident's microblog posts and comments in their data export. After deletion they stay, shown as by
a deleted user, with the person's data redacted and the images they uploaded deleted."""

from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from portal.accounts import erasure, export
from portal.accounts.signals import personal_data_requested

from .models import MicroComment, MicroImage, MicroPost

export.register_labels(
    {
        "microblog_posts": _("Microblog posts"),
        "microblog_comments": _("Microblog comments"),
        "post_id": _("Post"),
        "text": _("Text"),
    }
)
erasure.register_text(MicroPost, ["text", "text_html"], own="author")
erasure.register_text(MicroComment, ["text", "text_html"], own="author")
erasure.register_files(MicroImage, "file", own="post__author")


@receiver(personal_data_requested)
def export_microblog(sender, user, **kwargs):
    posts = MicroPost.objects.filter(author=user).order_by("created_at").values("id", "text", "created_at")
    comments = MicroComment.objects.filter(author=user).order_by("created_at").values("post_id", "text", "created_at")
    return {
        "microblog_posts": [{**p, "created_at": p["created_at"].isoformat()} for p in posts],
        "microblog_comments": [{**c, "created_at": c["created_at"].isoformat()} for c in comments],
    }
