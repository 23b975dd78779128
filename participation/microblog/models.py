"""The community microblog (社区微博): short posts by the community and its residents, comments, likes,
reposts within the city and #话题# hashtags.

A post is `ModeratedContent` like a forum post, so the one moderation (queue, reports, hiding) applies.
Counters are kept with F() in the database (`bump`) and can be recomputed (`MicroPost.recount`); the
"most discussed" score (comments + reposts) is stored beside them, changed by the same UPDATE, so the
street's and the city's feeds read it from an index instead of computing it per row.
The feed pages by id (newest first), never by OFFSET or COUNT, so its cost does not grow with the feed.
"""

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from participation.moderation.models import ModeratedContent, ModerationState
from portal.core.links import site_url

MAX_TEXT = 500
MAX_IMAGES = 9


class MicroPostQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Published and not deleted; an author also sees their own posts awaiting moderation."""
        visible = models.Q(moderation_state=ModerationState.PUBLISHED)
        if getattr(user, "is_authenticated", False):
            visible |= models.Q(moderation_state=ModerationState.PENDING, author=user)
        return self.filter(visible, deleted_at__isnull=True)

    def public(self):
        return self.filter(moderation_state=ModerationState.PUBLISHED, deleted_at__isnull=True)


class MicroPostTag(TaggedItemBase):
    content_object = models.ForeignKey("MicroPost", on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        verbose_name = _("microblog topic")
        verbose_name_plural = _("microblog topics")


class MicroPost(ModeratedContent):
    text = models.TextField(_("text"), max_length=MAX_TEXT, blank=True)
    text_html = models.TextField(editable=False, default="")
    as_community = models.BooleanField(
        _("posted as the community"), default=False, help_text=_("Written by a worker in the community's name.")
    )
    repost_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reposts",
        verbose_name=_("repost of"),
    )
    pinned = models.BooleanField(_("pinned"), default=False, help_text=_("Only the community's own posts are pinned."))
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    like_count = models.PositiveIntegerField(_("likes"), default=0)
    repost_count = models.PositiveIntegerField(_("reposts"), default=0)
    # comment_count + repost_count, kept by `bump` and `recount` (never written on its own).
    discussion_score = models.PositiveIntegerField(_("discussion"), default=0, editable=False)
    # The community's street, copied at save (and when a community moves, see apps.py): the street's
    # feed reads one index range (street, score) instead of sorting every post of its communities.
    street = models.ForeignKey(
        "regions.Region",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,  # the index below leads with it
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    tags = TaggableManager(through=MicroPostTag, blank=True, verbose_name=_("topics"))

    objects = MicroPostQuerySet.as_manager()

    class Meta:
        verbose_name = _("microblog post")
        verbose_name_plural = _("microblog posts")
        indexes = [
            models.Index(fields=["community", "-id"], name="microblog_feed"),
            models.Index(fields=["community", "pinned"], name="microblog_pinned"),
            models.Index(fields=["author", "-id"], name="microblog_by_author"),
            models.Index(fields=["-created_at"], name="microblog_recent"),
            models.Index(fields=["-discussion_score", "-id"], name="microblog_discussed"),
            models.Index(fields=["street", "-discussion_score", "-id"], name="microblog_street_discussed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pinned=False) | models.Q(as_community=True), name="microblog_only_community_pinned"
            )
        ]

    def __str__(self):
        return Truncator(self.text).chars(40) or str(_("(repost)"))

    def get_absolute_url(self):
        return reverse("microblog:post", args=[self.pk])

    def save(self, *args, **kwargs):
        if self.street_id is None and self.community_id is not None:
            self.street_id = self.community.street_id
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.pinned and not self.as_community:
            raise ValidationError({"pinned": _("Only the community's own posts can be pinned.")})

    # The counters the "most discussed" score adds up (likes are approval, not discussion).
    DISCUSSION_COUNTERS = ("comment_count", "repost_count")

    @property
    def discussion(self) -> int:
        return self.discussion_score

    def is_visible_to(self, user) -> bool:
        if self.deleted_at is not None:
            return False
        if self.moderation_state == ModerationState.PUBLISHED:
            return True
        return self.moderation_state == ModerationState.PENDING and user.is_authenticated and user.pk == self.author_id

    def moderation_excerpt(self):
        return Truncator(self.text).chars(200)

    def moderation_url(self):
        return site_url(self.community.site, self.get_absolute_url())

    def moderation_changed(self, old_state):
        from .services import post_state_changed

        post_state_changed(self, old_state)

    def recount(self) -> None:
        """Recompute the stored counters from the rows (after a moderation decision)."""
        published = {"moderation_state": ModerationState.PUBLISHED, "deleted_at__isnull": True}
        comments = MicroComment.objects.filter(post=self, **published).count()
        reposts = MicroPost.objects.filter(repost_of=self, **published).count()
        MicroPost.objects.filter(pk=self.pk).update(
            comment_count=comments,
            like_count=MicroLike.objects.filter(post=self).count(),
            repost_count=reposts,
            discussion_score=comments + reposts,
        )


class MicroImage(models.Model):
    """One of a post's images, validated and re-encoded by `participation.content.uploads`."""

    post = models.ForeignKey(MicroPost, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(_("image"), max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("microblog image")
        verbose_name_plural = _("microblog images")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.file.name

    @property
    def url(self) -> str:
        return default_storage.url(self.file.name)


class MicroComment(ModeratedContent):
    post = models.ForeignKey(MicroPost, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField(_("text"), max_length=MAX_TEXT)
    text_html = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("microblog comment")
        verbose_name_plural = _("microblog comments")
        indexes = [models.Index(fields=["post", "id"], name="microblog_comments")]

    def __str__(self):
        return Truncator(self.text).chars(40)

    def get_absolute_url(self):
        return f"{self.post.get_absolute_url()}#c{self.pk}"

    def is_visible_to(self, user) -> bool:
        return MicroPost.is_visible_to(self, user)

    def moderation_excerpt(self):
        return Truncator(self.text).chars(200)

    def moderation_url(self):
        return site_url(self.community.site, self.get_absolute_url())

    def moderation_changed(self, old_state):
        from .services import comment_state_changed

        comment_state_changed(self, old_state)


class MicroLike(models.Model):
    post = models.ForeignKey(MicroPost, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("microblog like")
        verbose_name_plural = _("microblog likes")
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="microblog_like_once_per_person")]

    def __str__(self):
        return f"{self.user_id} ♥ {self.post_id}"


def bump(model, pk, **deltas) -> None:
    """Add to counters in the database (F() expressions), never from values read earlier. A model's
    DISCUSSION_COUNTERS also move its `discussion_score`, in the same UPDATE."""
    changes = {name: F(name) + delta for name, delta in deltas.items()}
    score = sum(delta for name, delta in deltas.items() if name in getattr(model, "DISCUSSION_COUNTERS", ()))
    if score:
        changes["discussion_score"] = F("discussion_score") + score
    model.objects.filter(pk=pk).update(**changes)
