"""Forum categories, threads, posts (the opening post is number 1), likes, edit history and read state.

Every post carries its number within its thread, so page N of a thread is a range query on
(thread, number) whatever the thread's length; hidden and deleted posts keep their number and
show as a placeholder.
"""

import html

from django.conf import settings
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from communities.regions.models import Community
from participation.content.markdown import render_markdown
from participation.moderation.models import ModeratedContent, ModerationState
from portal.core.child_counts import ChildCountsMixin
from portal.core.links import reverse_ids, site_url

POSTS_PER_PAGE = 20


class ForumCategory(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="forum_categories", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=60, allow_unicode=False)
    description = models.CharField(_("description"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("forum category")
        verbose_name_plural = _("forum categories")
        ordering = ["sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "slug"], name="forum_category_slug_per_community")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("forums:category", args=[self.slug])


class ThreadQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Published and not deleted; an author also sees their own threads awaiting moderation."""
        visible = models.Q(moderation_state=ModerationState.PUBLISHED)
        if getattr(user, "is_authenticated", False):
            visible |= models.Q(moderation_state=ModerationState.PENDING, author=user)
        return self.filter(visible, deleted_at__isnull=True)


class Thread(ModeratedContent):
    category = models.ForeignKey(ForumCategory, on_delete=models.PROTECT, related_name="threads")
    title = models.CharField(_("title"), max_length=120)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_post_at = models.DateTimeField(_("last post"), default=timezone.now)
    last_number = models.PositiveIntegerField(_("last post number"), default=0)
    reply_count = models.PositiveIntegerField(_("replies"), default=0)
    like_count = models.PositiveIntegerField(_("likes"), default=0)
    view_count = models.PositiveBigIntegerField(_("views"), default=0)
    pinned = models.BooleanField(_("pinned"), default=False)
    locked = models.BooleanField(_("locked"), default=False)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    # Bumped by every change a reader could see; keys the anonymous page cache.
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            models.Index(fields=["community", "-pinned", "-last_post_at"], name="forum_thread_listing"),
            models.Index(fields=["category", "-pinned", "-last_post_at"], name="forum_thread_by_category"),
            models.Index(fields=["created_at"], name="forum_thread_created"),  # decision support: threads a day
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse_ids("forums:thread", self.pk)

    def is_visible_to(self, user) -> bool:
        """`Thread.objects.visible_to(user)`'s rule for one thread already read."""
        if self.deleted_at is not None:
            return False
        if self.moderation_state == ModerationState.PUBLISHED:
            return True
        return (
            self.moderation_state == ModerationState.PENDING
            and getattr(user, "is_authenticated", False)
            and user.pk == self.author_id
        )

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.last_number // POSTS_PER_PAGE))

    def moderation_excerpt(self):
        return self.title

    def moderation_url(self):
        return absolute_url(self.community, self.get_absolute_url())

    def save(self, *args, **kwargs):
        editing = self.pk is not None
        if editing:  # an edit in the admin (pinning) changes what readers see
            self.version = F("version") + 1
        super().save(*args, **kwargs)
        if editing:
            self.refresh_from_db(fields=["version"])

    def moderation_lock(self, locked):
        Thread.objects.filter(pk=self.pk).update(locked=locked, version=F("version") + 1)
        self.locked = locked
        return True

    def moderation_changed(self, old_state):
        from .services import thread_state_changed

        thread_state_changed(self, old_state)

    def recount(self) -> None:
        """Recompute the stored counters from the posts and likes (used after moderation and by `recount_forum`)."""
        posts = Post.objects.filter(thread=self)
        Thread.objects.filter(pk=self.pk).update(
            reply_count=posts.filter(
                number__gt=1, moderation_state=ModerationState.PUBLISHED, deleted_at__isnull=True
            ).count(),
            like_count=PostLike.objects.filter(post__thread=self).count(),
            last_number=posts.aggregate(n=models.Max("number"))["n"] or 0,
            version=F("version") + 1,
        )


class Post(ModeratedContent):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    number = models.PositiveIntegerField(_("number"))
    body = models.TextField(_("text"))
    body_html = models.TextField(editable=False)
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("in reply to")
    )
    quote_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("quotes")
    )
    like_count = models.PositiveIntegerField(_("likes"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [models.UniqueConstraint(fields=["thread", "number"], name="forum_post_number_per_thread")]
        indexes = [
            models.Index(fields=["author", "community"], name="forum_post_by_author"),
            models.Index(fields=["created_at"], name="forum_post_created"),  # decision support: posts a day
        ]

    def __str__(self):
        return Truncator(self.body).chars(80)

    @property
    def page_number(self) -> int:
        return (self.number - 1) // POSTS_PER_PAGE + 1

    def get_absolute_url(self):
        return reverse_ids("forums:post", self.thread_id, self.number)

    @property
    def sitewide_key(self) -> tuple:
        """Everything of this post that forums/_post.html shows, for `{% sitewide with post=post %}`: a post is
        rendered once per version of these (an edit, a hide, a like, a renamed author each give a new key).
        `visible`, `liked` and `mine` are what the view worked out for this reader (flags, not who they are)."""
        reply_to = self.reply_to if self.reply_to_id else None
        return (
            self.pk,
            self.thread_id,
            self.number,
            self.body_html,
            self.like_count,
            self.moderation_state,
            self.created_at,
            self.edited_at,
            self.deleted_at is not None,
            self.author.public_name,
            (reply_to.number, reply_to.author.public_name) if reply_to is not None else None,
            getattr(self, "visible", None),
            getattr(self, "liked", None),
            getattr(self, "mine", None),
        )

    def is_visible_to(self, user) -> bool:
        if self.deleted_at is not None:
            return False
        if self.moderation_state == ModerationState.PUBLISHED:
            return True
        return self.moderation_state == ModerationState.PENDING and user.is_authenticated and user.pk == self.author_id

    def moderation_excerpt(self):
        # The text as readers see it, not its Markdown source (a masked number read 139\*\*\*\*5678).
        text = " ".join(html.unescape(strip_tags(render_markdown(self.body))).split())
        return f"{self.thread.title} #{self.number}: {Truncator(text).chars(200)}"

    def moderation_url(self):
        return absolute_url(self.community, self.get_absolute_url())

    def moderation_lock(self, locked):
        return self.thread.moderation_lock(locked)

    def moderation_changed(self, old_state):
        from .services import post_state_changed

        post_state_changed(self, old_state)


class PostRevision(models.Model):
    """The text a post had before an edit; moderators read the history."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.post_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class PostLike(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="forum_like_once_per_person")]

    def __str__(self):
        return f"{self.user_id} ♥ {self.post_id}"


class ThreadRead(models.Model):
    """How far a resident has read a thread. Rows older than the cutoff are purged: such threads count as read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    last_read_number = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="forum_read_once_per_thread")]
        indexes = [models.Index(fields=["updated_at"], name="forum_read_purge")]

    def __str__(self):
        return f"{self.user_id} read {self.thread_id} to #{self.last_read_number}"


class ForumPage(ChildCountsMixin, Page):
    """The forum's entry in a community's navigation. The forum itself is served by Django views under
    /forum/ (participation.forums.urls); this page only gives the menu a link and redirects there."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["community_pages.CommunityHomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("community forum")

    def serve(self, request, *args, **kwargs):
        from django.shortcuts import redirect

        return redirect("forums:index")


def absolute_url(community, path: str) -> str:
    return site_url(community.site, path)


def bump(model, pk, **deltas) -> None:
    """Add to counters in the database (F() expressions), never from values read earlier."""
    model.objects.filter(pk=pk).update(**{name: F(name) + delta for name, delta in deltas.items()})


def touch(thread_id) -> None:
    """Something readers see in this thread changed: cached anonymous pages of it are stale."""
    bump(Thread, thread_id, version=1)
