from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from communities.pages.models import PortalPage
from portal.accounts.actions import resident_action
from portal.core.page_cache import PageCacheMixin
from portal.core.statements import Statement


class EventTag(TaggedItemBase):
    content_object = ParentalKey("EventPage", related_name="tagged_items", on_delete=models.CASCADE)


class EventIndexPage(PortalPage):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["community_pages.CommunityHomePage"]
    subpage_types = ["community_events.EventPage"]
    max_count_per_parent = 1
    template = "communities/event_index_page.html"

    class Meta:
        verbose_name = _("event index")

    def get_context(self, request, *args, **kwargs):
        from portal.core.pagination import paginate

        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        events = EventPage.objects.live().child_of(self)
        context["upcoming"] = events.filter(end__gte=now).order_by("start")[:50]
        context["past"] = paginate(request, events.filter(end__lt=now).order_by("-start"))
        return context


class EventPage(RoutablePageMixin, PortalPage):
    """社区活动: time, place, capacity; logged-in residents sign up, with a waiting list when full."""

    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacity"), default=0, help_text=_("0 means no limit."))
    signup_open = models.BooleanField(_("sign-up open"), default=True)
    organiser = models.CharField(_("organiser"), max_length=100, blank=True)
    summary = models.CharField(_("summary"), max_length=250, blank=True)
    body = RichTextField(_("description"), blank=True)
    tags = ClusterTaggableManager(through=EventTag, blank=True, verbose_name=_("tags"))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("start"), FieldPanel("end"), FieldPanel("place"), FieldPanel("organiser")],
            heading=_("When and where"),
        ),
        MultiFieldPanel([FieldPanel("capacity"), FieldPanel("signup_open")], heading=pgettext_lazy("event", "Sign-up")),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["community_events.EventIndexPage"]
    subpage_types = []
    template = "communities/event_page.html"

    class Meta:
        verbose_name = _("event")
        indexes = [models.Index(fields=["start"]), models.Index(fields=["end"])]

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("An event must end after it starts.")})

    @property
    def signup_possible(self) -> bool:
        return self.signup_open and self.end > timezone.now()

    @property
    def sitewide_key(self) -> tuple:
        """The published version communities/event_page.html shows, for `{% sitewide with page=page %}`: its fields
        and tags change with a publish, which gives a new `live_revision_id` and `last_published_at` (a tag renamed
        or deleted moves the generation: signals.tag_changed). The places taken are keyed apart; the visitor's own
        sign-up, and whether sign-up is still open, are a hole rendered for every request."""
        return ("event", self.pk, self.live_revision_id, self.last_published_at)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(self.signup_standing(request.user))
        return context

    def signup_standing(self, user) -> dict:
        """`confirmed_count`, `waiting_count` and, for a signed-in visitor, `my_status` (their sign-up's status,
        None if they have none or cancelled it): one statement, the sign-ups counted by status."""
        status = EventSignup.Status
        rows = _signups_by_status(event=self.pk, user=user.pk if user.is_authenticated else None)
        by_status = {found: (n, own) for found, n, own in rows}
        standing = {
            "confirmed_count": by_status.get(status.CONFIRMED, (0, 0))[0],
            "waiting_count": by_status.get(status.WAITING, (0, 0))[0],
        }
        if user.is_authenticated:
            mine = (found for found, (_n, own) in by_status.items() if own and found != status.CANCELLED)
            standing["my_status"] = next(mine, None)
        return standing

    @path("")
    def detail(self, request):
        return PageCacheMixin.serve(self, request)

    @path("signup/")
    # Cancelling one's own sign-up is always possible; joining asks the one decision.
    @resident_action("events.signup", when=lambda page, request: request.POST.get("action") != "cancel")
    def signup(self, request):
        from .views import signup_view

        return signup_view(request, self)


class EventSignup(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="signups", verbose_name=_("event"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_signups", verbose_name=_("resident")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)

    class Meta:
        verbose_name = _("event sign-up")
        verbose_name_plural = _("event sign-ups")
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="one_signup_per_event_and_user")]
        indexes = [models.Index(fields=["event", "status", "created_at"])]

    def __str__(self):
        return f"{self.user} → {self.event}"


def _standing(event, user):
    """`EventPage.signup_standing`'s read: an event's sign-ups by status, and how many of each are `user`'s (none
    for None)."""
    signups = EventSignup.objects.filter(event_id=event).order_by().values("status")
    counted = signups.annotate(n=models.Count("pk"), own=models.Count("pk", filter=models.Q(user_id=user)))
    return counted.values_list("status", "n", "own")


_signups_by_status = Statement(_standing)  # on every request to an event: compiled once
