"""Reports, moderation actions, suspensions, sensitive words and each community's moderation policy.

Any model residents write can be moderated: it inherits `ModeratedContent` (a state, a community
and an author) and registers itself with `moderation.registry.register`.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.regions.models import Community


class ModerationState(models.TextChoices):
    PUBLISHED = "published", _("Published")
    PENDING = "pending", _("Awaiting moderation")
    HIDDEN = "hidden", _("Hidden by a moderator")


class ModeratedContent(models.Model):
    """Abstract base of everything residents publish."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    moderation_state = models.CharField(
        _("moderation state"), max_length=10, choices=ModerationState.choices, default=ModerationState.PUBLISHED
    )

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.moderation_state == ModerationState.PUBLISHED

    def moderation_excerpt(self) -> str:
        """A short text that moderators see in the queue."""
        return str(self)

    def moderation_url(self) -> str:
        """Where the content is seen in context (may be empty)."""
        return ""

    def moderation_changed(self, old_state: str) -> None:
        """Hook: the state changed from `old_state` (recount, push, notify). The row is already saved."""

    def moderation_lock(self, locked: bool) -> bool:
        """Hook: lock or unlock the conversation this belongs to. Returns False when it cannot be locked."""
        return False


class ModerationPolicy(models.Model):
    """A community's moderation settings; communities without a row use the defaults."""

    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, related_name="moderation_policy", verbose_name=_("community")
    )
    auto_hide_reports = models.PositiveSmallIntegerField(
        _("hide after reports from"),
        default=3,
        help_text=_("Content is hidden automatically once this many different residents have reported it."),
    )
    premoderate_new_accounts = models.BooleanField(
        _("pre-moderate new accounts"),
        default=False,
        help_text=_("Posts by new accounts wait for a moderator before they are shown."),
    )
    new_account_posts = models.PositiveSmallIntegerField(
        _("posts before an account is trusted"),
        default=3,
        help_text=_("Until then an account may not post links or images and is rate-limited more strictly."),
    )

    class Meta:
        verbose_name = _("moderation policy")
        verbose_name_plural = _("moderation policies")

    def __str__(self):
        return str(self.community)

    @classmethod
    def for_community(cls, community) -> "ModerationPolicy":
        return cls.objects.filter(community=community).first() or cls(community=community)


class Report(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Abuse or harassment")
        OFF_TOPIC = "off_topic", _("Off-topic")
        PERSONAL_INFO = "personal_info", _("Personal information exposed")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community"))
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("reporter")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        permissions = [("moderate", _("Can moderate community content"))]
        constraints = [
            # One report per resident per item: auto-hiding counts distinct residents.
            models.UniqueConstraint(fields=["content_type", "object_id", "reporter"], name="report_once_per_reporter")
        ]
        indexes = [models.Index(fields=["community", "status", "-created_at"], name="report_queue")]

    def __str__(self):
        return f"{self.get_reason_display()} · {self.content_type_id}:{self.object_id}"


class ModerationAction(models.Model):
    """The log: every moderation decision, who took it and why. Rows are never edited."""

    class Kind(models.TextChoices):
        HIDE = "hide", _("Hide")
        RESTORE = "restore", _("Restore")
        APPROVE = "approve", _("Approve")
        LOCK = "lock", _("Lock")
        UNLOCK = "unlock", _("Unlock")
        WARN = "warn", _("Warn the author")
        SUSPEND = "suspend", _("Suspend the author in this community")
        DISMISS = "dismiss", _("Dismiss the reports")
        AUTO_HIDE = "auto_hide", _("Hidden automatically after reports")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community"))
    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    content_object = GenericForeignKey("content_type", "object_id")
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author concerned"),
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderator"),
        help_text=_("Empty when the system acted on its own."),
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["community", "-created_at"], name="moderation_log")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class SuspensionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(models.Q(until__isnull=True) | models.Q(until__gt=timezone.now()))


class Suspension(models.Model):
    """A resident may not post in one community until `until` (for ever when empty)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    until = models.DateTimeField(_("until"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SuspensionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        indexes = [models.Index(fields=["user", "community"], name="suspension_lookup")]

    def __str__(self):
        return f"{self.user} @ {self.community}"


class SensitiveWord(models.Model):
    """A word screened in everything residents publish: in one community, or city-wide when empty."""

    class Action(models.TextChoices):
        BLOCK = "block", _("Refuse the post")
        REVIEW = "review", _("Hold the post for a moderator")

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
        help_text=_("Leave empty for a city-wide word."),
    )
    word = models.CharField(_("word or phrase"), max_length=100)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices, default=Action.BLOCK)

    class Meta:
        verbose_name = _("sensitive word")
        verbose_name_plural = _("sensitive words")
        ordering = ["word"]
        constraints = [models.UniqueConstraint(fields=["community", "word"], name="sensitive_word_once")]

    def __str__(self):
        return self.word
