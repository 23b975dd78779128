"""Microblog posts in the one search index, masked as on their pages (comments are found with their post)."""

from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from communities.pages.search import plain
from participation.moderation.models import ModerationState
from portal.search import registry
from portal.search.registry import Document, Indexer

from .models import MicroComment, MicroPost


class MicroPostIndexer(Indexer):
    kind = "microblog"
    label = _("Microblog post")
    model = MicroPost
    # A published comment adds to what finds its post.
    watch = {MicroComment: lambda comment: [comment.post_id]}

    def get_queryset(self):
        return MicroPost.objects.select_related("community", "author")

    def document(self, post):
        if not post.text:  # a repost without words of its own: the original is indexed
            return None
        comments = MicroComment.objects.filter(
            post=post, moderation_state=ModerationState.PUBLISHED, deleted_at__isnull=True
        ).values_list("text_html", flat=True)[:50]
        text = " ".join([plain(post.text_html), *(plain(html) for html in comments)])
        return Document(
            title=Truncator(plain(post.text_html)).chars(40),
            text=text,
            community_id=post.community_id,
            date=post.created_at,
            path=post.get_absolute_url(),
            public=post.moderation_state == ModerationState.PUBLISHED and post.deleted_at is None,
            admin_path=self.admin_path(post),
        )


registry.register(MicroPostIndexer())
