"""Complaints (我有话说): the case a community handles, and its separate delivery to the city's system."""

import os
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel

from communities.regions.models import Community
from portal.core import page_cache
from portal.core.sites import register_site_fact

DESCRIPTION_MAX_LENGTH = 4000
MAX_PHOTOS = 9


class PrivateMediaStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, which no web server serves: views check who asks first.

    The location is read from the settings on every use, so a deployment (or a test) may move it."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise NotImplementedError("Private files have no public URL; use the complaint photo views.")


private_storage = PrivateMediaStorage()


def get_private_storage():
    return private_storage


class ServiceCategory(models.Model):
    """One entry of the city's service list (Open311 `GET services`), or a local-only category.

    Synced categories that vanish from the city's list are marked retired, never deleted: old
    complaints keep pointing at them.
    """

    service_code = models.CharField(_("service code"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    group = models.CharField(_("group"), max_length=200, blank=True)
    keywords = models.CharField(_("keywords"), max_length=500, blank=True)
    department = models.CharField(_("responsible department"), max_length=200, blank=True)
    deadline_days = models.PositiveSmallIntegerField(
        _("deadline (days)"), default=15, help_text=_("Days from acceptance until the case is overdue (督办).")
    )
    goes_to_city = models.BooleanField(_("goes to the city"), default=True)
    from_city = models.BooleanField(_("from the city's service list"), default=False, editable=False)
    retired = models.BooleanField(_("retired"), default=False)
    attributes = models.JSONField(_("attributes"), default=list, blank=True, editable=False)
    synced_at = models.DateTimeField(_("last synced"), null=True, blank=True, editable=False)

    panels = [
        FieldPanel("service_code"),
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("group"),
        FieldPanel("department"),
        FieldPanel("deadline_days"),
        FieldPanel("goes_to_city"),
        FieldPanel("retired"),
    ]

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["group", "name"]

    def __str__(self):
        return self.name


class ComplaintSettings(models.Model):
    """How one community takes complaints."""

    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, related_name="complaint_settings", verbose_name=_("community")
    )
    allow_anonymous = models.BooleanField(_("allow anonymous complaints"), default=False)
    hidden_categories = models.ManyToManyField(
        ServiceCategory, blank=True, related_name="+", verbose_name=_("hidden categories")
    )
    wechat_words = models.CharField(
        _("WeChat start words"),
        max_length=200,
        default="投诉 报事 反映",
        blank=True,
        help_text=_(
            "A WeChat message starting with one of these words (separated by spaces) starts a complaint "
            "by message. Empty: complaints are not taken by message."
        ),
    )

    panels = [
        FieldPanel("community"),
        FieldPanel("allow_anonymous"),
        FieldPanel("hidden_categories"),
        FieldPanel("wechat_words"),
    ]

    class Meta:
        verbose_name = _("complaint settings")
        verbose_name_plural = _("complaint settings")

    def __str__(self):
        return str(self.community)

    @classmethod
    def for_community(cls, community) -> "ComplaintSettings":
        found = cls.objects.filter(community=community).first()
        return found or cls(community=community)


class CaseState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    ESCALATED = "escalated", _("Escalated to the city")
    DISPATCHED = "dispatched", _("Dispatched")
    # Contexts: polls and deliberations say "In progress" and "Closed" in other words (进行中, 已结束), and the
    # catalogue of the app listed first would win for every app.
    IN_PROGRESS = "in_progress", pgettext_lazy("complaint state", "In progress")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", pgettext_lazy("complaint state", "Closed")
    EVALUATED = "evaluated", _("Evaluated")
    REOPENED = "reopened", _("Reopened")
    RETURNED = "returned", _("Returned")
    DUPLICATE = "duplicate", _("Duplicate")
    NOT_RESPONSIBLE = "not_responsible", _("Not responsible")


def choice_label(labels: dict, value):
    """What Django's `get_FOO_display` answers, from a dict of the choices made once: Django's makes it again at
    every call, hashing each lazy label, which translates it (a dozen translations per state shown)."""
    return force_str(labels.get(value, value), strings_only=True)


STATE_LABELS = dict(CaseState.choices)

# The states of a complaint still being handled (open, and overdue once past its deadline).
OPEN_STATES = {
    CaseState.SUBMITTED,
    CaseState.ACCEPTED,
    CaseState.ESCALATED,
    CaseState.DISPATCHED,
    CaseState.IN_PROGRESS,
    CaseState.REPLIED,
    CaseState.REOPENED,
}


class Complaint(models.Model):
    class Kind(models.TextChoices):
        DISPUTE = "dispute", _("Dispute (矛盾纠纷)")
        HAZARD = "hazard", _("Hazard (问题隐患)")
        SUGGESTION = "suggestion", _("Suggestion")
        CONSULTATION = "consultation", _("Consultation")

    class Contact(models.TextChoices):
        NONE = "none", _("Do not contact me")
        SITE = "site", _("Only through this site")
        PHONE = "phone", _("By phone")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        NOT_SATISFIED = "not_satisfied", _("Not satisfied")

    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("community")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("reporter"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("category")
    )
    description = models.TextField(_("description"), validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)])
    address = models.CharField(_("address"), max_length=300)
    latitude = models.DecimalField(_("latitude (WGS84)"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude (WGS84)"), max_digits=9, decimal_places=6, null=True, blank=True)
    public = models.BooleanField(_("may be shown publicly"), default=False)
    contact_preference = models.CharField(
        _("contact preference"), max_length=10, choices=Contact.choices, default=Contact.SITE
    )
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    share_contact_with_city = models.BooleanField(_("the city may see my contact details"), default=False)
    # Answers to the category's service attributes ({code: value, or a list of keys}), sent as attribute[code].
    attributes = models.JSONField(_("answers for the city"), default=dict, blank=True)

    state = models.CharField(_("state"), max_length=20, choices=CaseState.choices, default=CaseState.SUBMITTED)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    created_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    last_city_update_at = models.DateTimeField(_("last update from the city"), null=True, blank=True)
    # Filed by a partner through the Open311 server (portal.api): which key, and the partner's own id
    # (unique per key, so a re-sent request is the same complaint).
    api_key = models.ForeignKey(
        "portal_api.ApiKey",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("filed with API key"),
        editable=False,
    )
    partner_request_id = models.CharField(_("partner's request id"), max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["community", "state"]),
            models.Index(fields=["community", "public"]),
            # Decision support: the open complaints of a community (and the overdue ones, by deadline), and the
            # new complaints of a community in a period, without reading the closed majority.
            models.Index(
                fields=["community", "category", "deadline"],
                include=["created_at", "id"],  # PostgreSQL counts them from the index alone
                condition=models.Q(state__in=sorted(OPEN_STATES)),
                name="complaint_open_by_community",
            ),
            # and "an earlier complaint here within 90 days" (the repeat figure) from the index alone
            models.Index(
                fields=["community", "created_at"],
                include=["latitude", "longitude"],
                name="complaint_by_community_place",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "partner_request_id"],
                condition=~models.Q(partner_request_id=""),
                name="one_complaint_per_partner_request",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    def get_state_display(self):
        return choice_label(STATE_LABELS, self.state)

    def get_kind_display(self):
        return choice_label(KIND_LABELS, self.kind)

    @property
    def portal_id(self) -> str:
        """Our id in the city's system (`attribute[portal_id]`): stable across every re-send."""
        return str(self.reference)

    @property
    def is_overdue(self) -> bool:
        return bool(self.deadline and self.state in OPEN_STATES and timezone.now() > self.deadline)

    @property
    def handling_time(self) -> timedelta | None:
        return (self.closed_at - self.created_at) if self.closed_at else None

    @property
    def sitewide_key(self) -> tuple:
        """Everything of a public complaint that complaints/_public_complaint.html shows, for `{% sitewide with
        complaint=complaint %}` (反光镜): its category's and community's names, kind, state, times and text, and
        the public events and photos the view fetched (`public_events`, `public_photos`). A new event, a hidden
        photo, a renamed category or an edited text is a new key."""
        events = tuple((e.kind, e.to_state, e.text, e.from_city, e.created_at) for e in self.public_events)
        photos = tuple((p.pk, p.width, p.height) for p in self.public_photos)
        return (
            *(self.pk, self.category.name, self.community.name, self.kind, self.state, self.description),
            *(self.created_at, self.closed_at, events, photos),
        )


KIND_LABELS = dict(Complaint.Kind.choices)


class ComplaintPhoto(models.Model):
    """A validated, re-encoded photo of a complaint, stored privately (never under MEDIA_URL)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), storage=get_private_storage, max_length=200)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    # A worker hides a photo from the public record (faces, number plates); the resident and staff still see it.
    hidden_from_public = models.BooleanField(_("hidden from the public record"), default=False)

    class Meta:
        verbose_name = _("complaint photo")
        verbose_name_plural = _("complaint photos")
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.complaint_id} photo {self.position + 1}"


class ComplaintEvent(models.Model):
    """One line of a complaint's timeline: a state change, a reply, an internal note."""

    class Kind(models.TextChoices):
        STATE = "state", _("State change")
        REPLY = "reply", pgettext_lazy("complaint", "Reply")
        NOTE = "note", _("Internal note")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_state = models.CharField(max_length=20, choices=CaseState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=CaseState.choices, blank=True)
    text = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    from_city = models.BooleanField(default=False)
    # The city's update id: a unique constraint, so an update delivered twice is applied once.
    city_update_id = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.complaint_id} {self.kind} {self.to_state}"

    def get_to_state_display(self):
        return choice_label(STATE_LABELS, self.to_state)

    @property
    def is_public(self) -> bool:
        return self.kind != self.Kind.NOTE


class Outbox(models.Model):
    """The delivery of one complaint to the city's Open311 endpoint, kept apart from the case state."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        IN_FLIGHT = "in_flight", _("In flight")
        DELIVERED = "delivered", _("Delivered")
        AWAITING_TOKEN = "awaiting_token", _("Awaiting token resolution")
        DEAD = "dead", _("Dead-lettered")

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="outbox")
    state = models.CharField(_("delivery state"), max_length=20, choices=State.choices, default=State.PENDING)
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True, editable=False)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # The last failure may have created the request in the city: look it up before re-sending.
    ambiguous = models.BooleanField(_("outcome unknown"), default=False)
    next_try_at = models.DateTimeField(_("next try"), default=timezone.now, db_index=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    lease_id = models.UUIDField(null=True, blank=True)
    service_request_id = models.CharField(_("service request id"), max_length=200, blank=True, db_index=True)
    token = models.CharField(_("token"), max_length=200, blank=True)
    endpoint_key = models.CharField(_("endpoint"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery to the city")
        verbose_name_plural = _("deliveries to the city")
        indexes = [models.Index(fields=["state", "next_try_at"])]

    def __str__(self):
        return f"{self.complaint} → {self.get_state_display()}"


class PollCursor(models.Model):
    """Up to when the updates of one Open311 endpoint have been pulled."""

    endpoint_key = models.CharField(max_length=100, unique=True)
    polled_until = models.DateTimeField()

    def __str__(self):
        return f"{self.endpoint_key} until {self.polled_until}"


class CityDuplicate(models.Model):
    """A second request at the city that carries one complaint's marker: a copy the city made (a resend
    it could not recognise, a lookup that timed out). Its updates are applied to the complaint."""

    class Source(models.TextChoices):
        LISTING = "listing", _("found in the city's request list")
        UPDATE = "update", _("found in a status update")

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="city_duplicates", verbose_name=_("complaint")
    )
    endpoint_key = models.CharField(_("endpoint"), max_length=100, blank=True)
    service_request_id = models.CharField(_("service request id"), max_length=200)
    source = models.CharField(_("found by"), max_length=10, choices=Source.choices)
    found_at = models.DateTimeField(_("found"), default=timezone.now)
    reported_at = models.DateTimeField(_("reported to the city"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("duplicate at the city")
        verbose_name_plural = _("duplicates at the city")
        ordering = ["found_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint_key", "service_request_id"], name="one_duplicate_per_request")
        ]

    def __str__(self):
        return f"{self.complaint_id}: {self.endpoint_key or 'default'} {self.service_request_id}"


class DeliveryFailure(models.Model):
    """One failed delivery attempt and how it failed: the operators' overview counts the last day's."""

    class Kind(models.TextChoices):
        TIMEOUT = "timeout", _("Timed out")
        SERVER_ERROR = "server_error", _("Server error (5xx)")
        DROPPED = "dropped", _("Connection dropped")
        REFUSED = "refused", _("Connection refused")
        REJECTED = "rejected", _("Rejected (4xx)")
        FORBIDDEN = "forbidden", _("Forbidden (403)")
        NOT_FOUND = "not_found", _("Not found (404)")
        UNREADABLE = "unreadable", _("Unreadable answer")

    outbox = models.ForeignKey(Outbox, on_delete=models.CASCADE, related_name="failures")
    endpoint_key = models.CharField(_("endpoint"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("failed delivery attempt")
        verbose_name_plural = _("failed delivery attempts")

    def __str__(self):
        return f"{self.outbox_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


def mirror_categories(sites) -> dict:
    """Every site's choices of 反光镜's category filter, (id, name) in the categories' order: the same for
    every site (the city's one list), kept in the site map (`sites.site_fact`) instead of a query a view."""
    choices = tuple((category.pk, str(category)) for category in ServiceCategory.objects.all())
    return dict.fromkeys((site.pk for site in sites), choices)


def reload_site_maps(sender, instance, **kwargs):
    page_cache.purge_all()


register_site_fact("mirror_categories", mirror_categories)
models.signals.post_save.connect(reload_site_maps, sender=ServiceCategory, dispatch_uid="complaints.categories")
models.signals.post_delete.connect(reload_site_maps, sender=ServiceCategory, dispatch_uid="complaints.categories_del")
