"""A community's WeChat Official Account, its followers and the keyword replies its workers set."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

from portal.core import page_cache
from portal.core.sites import register_site_fact, site_fact

from . import secrets

app_id_validator = RegexValidator(r"^wx[0-9a-f]{16}$", _("An app id is wx followed by 16 hexadecimal digits."))


class Account(models.Model):
    """One Official Account per community. Secrets are stored encrypted (see secrets.py) and are
    write-only in the admin; read them through the properties below."""

    class Mode(models.TextChoices):
        PLAINTEXT = "plaintext", _("Plaintext")
        COMPATIBLE = "compatible", _("Compatible")
        SAFE = "safe", _("Safe (encrypted)")

    class Kind(models.TextChoices):
        SUBSCRIPTION = "subscription", _("Subscription account")
        SERVICE = "service", _("Service account")

    community = models.OneToOneField(
        "regions.Community", on_delete=models.CASCADE, related_name="wechat_account", verbose_name=_("community")
    )
    name = models.CharField(_("account name"), max_length=100)
    app_id = models.CharField(_("app id"), max_length=18, unique=True, validators=[app_id_validator])
    kind = models.CharField(_("account type"), max_length=20, choices=Kind.choices, default=Kind.SUBSCRIPTION)
    mode = models.CharField(_("message mode"), max_length=20, choices=Mode.choices, default=Mode.SAFE)
    app_secret_encrypted = models.TextField(editable=False, blank=True, default="")
    token_encrypted = models.TextField(editable=False, blank=True, default="")
    aes_key_encrypted = models.TextField(editable=False, blank=True, default="")
    welcome_text = models.TextField(
        _("welcome message"),
        blank=True,
        help_text=_("Sent to a new follower, followed by links to the community's site."),
    )
    last_message_at = models.DateTimeField(_("last message received"), null=True, blank=True, editable=False)
    last_message = models.CharField(_("last message"), max_length=200, blank=True, editable=False)
    last_error_at = models.DateTimeField(_("last API error at"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("last API error"), max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("WeChat account")
        verbose_name_plural = _("WeChat accounts")
        ordering = ["community__name"]

    def __str__(self):
        return self.name

    # Secrets: plaintext only in memory.
    @property
    def app_secret(self) -> str:
        return secrets.decrypt(self.app_secret_encrypted)

    @app_secret.setter
    def app_secret(self, value: str):
        self.app_secret_encrypted = secrets.encrypt(value)

    @property
    def token(self) -> str:
        return secrets.decrypt(self.token_encrypted)

    @token.setter
    def token(self, value: str):
        self.token_encrypted = secrets.encrypt(value)

    @property
    def aes_key(self) -> str:
        return secrets.decrypt(self.aes_key_encrypted)

    @aes_key.setter
    def aes_key(self, value: str):
        self.aes_key_encrypted = secrets.encrypt(value)

    def missing(self) -> list[str]:
        """What the account still lacks before it can work (for operators: system checks and logs)."""
        lacking = []
        if not self.app_secret_encrypted:
            lacking.append("app secret")
        if not self.token_encrypted:
            lacking.append("token")
        if self.mode != self.Mode.PLAINTEXT and not self.aes_key_encrypted:
            lacking.append("EncodingAESKey")
        return lacking

    def callback_path(self) -> str:
        return reverse("wechat:callback", args=[self.community.slug])

    def callback_url(self) -> str:
        return settings.WECHAT_CALLBACK_BASE_URL.rstrip("/") + self.callback_path()

    callback_url.short_description = _("callback URL")


def sites_with_a_service_account(sites) -> dict:
    """{site id: True} for each site whose community has a WeChat service account: a fact of the per-process
    site map (pages ask on every render), reloaded whenever an account is saved or deleted."""
    kinds = Account.objects.filter(kind=Account.Kind.SERVICE, community__site__isnull=False)
    return dict.fromkeys(kinds.values_list("community__site_id", flat=True), True)


def has_service_account(request) -> bool:
    """Whether the community whose site serves `request` has a WeChat service account (no query)."""
    return site_fact(request, "wechat_service", False)


def reload_site_maps(sender, instance, **kwargs):
    page_cache.purge_all()


register_site_fact("wechat_service", sites_with_a_service_account)
models.signals.post_save.connect(reload_site_maps, sender=Account, dispatch_uid="wechat.forget_service")
models.signals.post_delete.connect(reload_site_maps, sender=Account, dispatch_uid="wechat.forget_service_del")


class Follower(models.Model):
    """A WeChat user who follows (or followed) an account; unsubscribed ones get no more messages."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="followers")
    openid = models.CharField(_("openid"), max_length=64)
    subscribed = models.BooleanField(_("subscribed"), default=True)
    subscribed_at = models.DateTimeField(_("subscribed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [models.UniqueConstraint(fields=["account", "openid"], name="wechat_follower_unique_openid")]

    def __str__(self):
        return self.openid


class KeywordReply(ClusterableModel):
    """What the account answers to a word: text, links to the community's pages (`page_links`), or both."""

    class Match(models.TextChoices):
        EXACT = "exact", _("The whole message is the keyword")
        CONTAINS = "contains", _("The message contains the keyword")

    community = models.ForeignKey(
        "regions.Community", on_delete=models.CASCADE, related_name="wechat_keywords", verbose_name=_("community")
    )
    keyword = models.CharField(_("keyword"), max_length=60)
    match = models.CharField(_("match"), max_length=10, choices=Match.choices, default=Match.EXACT)
    reply_text = models.TextField(_("reply text"), blank=True)

    class Meta:
        verbose_name = _("WeChat keyword reply")
        verbose_name_plural = _("WeChat keyword replies")
        ordering = ["keyword"]
        constraints = [
            models.UniqueConstraint(fields=["community", "keyword", "match"], name="wechat_keyword_unique"),
            models.CheckConstraint(condition=~models.Q(keyword=""), name="wechat_keyword_not_empty"),
        ]

    def __str__(self):
        return self.keyword


class KeywordReplyPage(Orderable):
    """A page of the community's site that a keyword reply sends as a link after its text, in order.

    A row per link (chosen in the admin with Wagtail's page chooser) rather than a many-to-many field,
    whose form offered every page of the city as a select option."""

    reply = ParentalKey(KeywordReply, on_delete=models.CASCADE, related_name="page_links")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+", verbose_name=_("page"))

    class Meta(Orderable.Meta):
        verbose_name = _("linked page")
        verbose_name_plural = _("links to pages")
        constraints = [models.UniqueConstraint(fields=["reply", "page"], name="wechat_keyword_page_once")]

    def __str__(self):
        return str(self.page)


class Binding(models.Model):
    """A follower's openid bound to a resident's portal account: one openid per account per app, and
    the unionid (when WeChat gives one) so that one person is one account across communities' apps."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bindings", verbose_name=_("account"))
    openid = models.CharField(_("openid"), max_length=64)
    unionid = models.CharField(_("unionid"), max_length=64, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wechat_bindings", verbose_name=_("user")
    )
    nickname = models.CharField(_("WeChat name"), max_length=64, blank=True)
    notifications = models.BooleanField(
        _("messages through WeChat"), default=True, help_text=_("Notifications also arrive as WeChat messages.")
    )
    stopped_at = models.DateTimeField(
        _("WeChat refused messages at"), null=True, blank=True, help_text=_("43004 or 43101: no more messages.")
    )
    created_at = models.DateTimeField(_("bound at"), auto_now_add=True)

    class Meta:
        verbose_name = _("WeChat binding")
        verbose_name_plural = _("WeChat bindings")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "openid"], name="wechat_binding_one_per_openid"),
            models.UniqueConstraint(fields=["account", "user"], name="wechat_binding_one_per_user"),
        ]

    def __str__(self):
        return f"{self.account} · {self.openid[:6]}…"


class MessageTemplate(models.Model):
    """Which template message an account sends for an event, and what goes in each of its fields.

    `fields` maps the template's field names (as in WeChat's console: first, keyword1, thing2, remark...)
    to texts in which {text}, {time}, {community} and {title} are replaced."""

    class Event(models.TextChoices):
        COMPLAINT = "complaint", _("A complaint's status changed")
        DELIBERATION = "deliberation", _("A deliberation opened its vote or was decided")
        FORUM_REPLY = "forum_reply", _("A reply to the resident's forum thread")
        MEMBERSHIP = "membership", _("A membership was verified or refused")
        ELECTION = "election", _("An election the resident takes part in moved on (vote open, nomination, results)")

    PLACEHOLDERS = ("text", "time", "community", "title")

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="templates", verbose_name=_("WeChat account")
    )
    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    template_id = models.CharField(_("template id"), max_length=64)
    fields = models.JSONField(
        _("fields"),
        default=dict,
        help_text=_(
            'The template\'s fields and their texts, e.g. {"thing1": "{title}", "time2": "{time}"}; '
            "{text}, {time}, {community} and {title} are filled in."
        ),
    )

    class Meta:
        verbose_name = _("WeChat template message")
        verbose_name_plural = _("WeChat template messages")
        ordering = ["account", "event"]
        constraints = [models.UniqueConstraint(fields=["account", "event"], name="wechat_template_one_per_event")]

    def __str__(self):
        return f"{self.account}: {self.get_event_display()}"
