"""Polls and surveys (民意调查): pages whose questions are blocks, answered once per person."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from communities.pages.models import PortalPage
from portal.accounts.actions import Requirement, resident_action
from portal.core.sites import community_for_page

from .blocks import QuestionsBlock
from .questions import questions_of


class PollIndexPage(PortalPage):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["community_pages.CommunityHomePage"]
    subpage_types = ["polls.PollPage"]
    max_count_per_parent = 1
    template = "participation/polls/poll_index_page.html"

    class Meta:
        verbose_name = _("poll index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        polls = PollPage.objects.live().child_of(self)
        context["open_polls"] = polls.filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at")
        context["closed_polls"] = polls.filter(closes_at__lte=now).order_by("-closes_at")[:50]
        context["coming_polls"] = polls.filter(opens_at__gt=now).order_by("opens_at")
        return context


class PollPage(RoutablePageMixin, PortalPage):
    class Audience(models.TextChoices):
        ANYONE = "anyone", _("Anyone")
        LOGGED_IN = "logged_in", _("Logged-in residents")
        VERIFIED = "verified", _("Verified residents of this community")

    class ResultsVisibility(models.TextChoices):
        LIVE = "live", _("Live, while the poll is open")
        AFTER_CLOSE = "after_close", _("After the poll closes")
        STAFF = "staff", _("Only to staff")

    description = RichTextField(_("description"), blank=True)
    opens_at = models.DateTimeField(_("opens"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes"))
    audience = models.CharField(
        _("who may answer"), max_length=12, choices=Audience.choices, default=Audience.LOGGED_IN
    )
    anonymous = models.BooleanField(
        _("anonymous responses"),
        default=False,
        help_text=_("Responses are stored without any link to the person; one response per person still holds."),
    )
    results_visibility = models.CharField(
        _("results are shown"), max_length=12, choices=ResultsVisibility.choices, default=ResultsVisibility.AFTER_CLOSE
    )
    questions = StreamField(QuestionsBlock(), verbose_name=_("questions"))

    content_panels = Page.content_panels + [
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("opens_at"),
                FieldPanel("closes_at"),
                FieldPanel("audience"),
                FieldPanel("anonymous"),
                FieldPanel("results_visibility"),
            ],
            heading=_("Who, when, and results"),
        ),
        FieldPanel("questions"),
    ]
    parent_page_types = ["polls.PollIndexPage"]
    subpage_types = []
    template = "participation/polls/poll_page.html"

    class Meta:
        verbose_name = _("poll")

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("A poll must close after it opens.")})

    @property
    def question_list(self):
        return questions_of(self.questions)

    @property
    def is_open(self) -> bool:
        return self.opens_at <= timezone.now() < self.closes_at

    @property
    def is_closed(self) -> bool:
        return timezone.now() >= self.closes_at

    def community(self, request=None):
        """The community whose tree holds this poll; looked up once per instance (one request: the
        answer guard and the view both ask, and a POST of a busy poll paid the query twice), from the
        request's site when the poll is served on its community's site (no query)."""
        from communities.regions.models import Community

        if not hasattr(self, "_community"):
            self._community = community_for_page(request, self) or (
                Community.objects.filter(root_page__in=self.get_ancestors()).first()
            )
        return self._community

    def user_is_staff_for(self, user) -> bool:
        """Whether `user` may edit this poll. Wagtail's `can_edit` asks the page's workflow (a query) when the
        permissions alone do not answer; only those who may publish here approve on it
        (communities.regions.approval), so a user with no permission on this page is answered at once."""
        if not user.is_authenticated:
            return False
        tester = self.permissions_for_user(user)
        return (user.is_superuser or bool(tester.permissions)) and tester.can_edit()

    def results_visible_to(self, user) -> bool:
        if self.user_is_staff_for(user):
            return True
        if self.results_visibility == self.ResultsVisibility.LIVE:
            return True
        return self.results_visibility == self.ResultsVisibility.AFTER_CLOSE and self.is_closed

    def audience_options(self) -> dict:
        """What this poll asks beyond its community's rule for answering polls (portal.accounts.actions)."""
        return {
            "anonymous": self.audience == self.Audience.ANYONE,
            "at_least": Requirement.VERIFIED if self.audience == self.Audience.VERIFIED else None,
        }

    @path("")
    @resident_action(
        "polls.answer",
        community=lambda page, request: page.community(request),
        options=lambda page, request: page.audience_options(),
    )
    def poll(self, request):
        from .views import poll_view

        return poll_view(request, self)

    @path("results/")
    def results(self, request):
        from .views import results_view

        return results_view(request, self)

    @path("export/")
    def export(self, request):
        from .views import export_view

        return export_view(request, self)


class Participation(models.Model):
    """The roll: who has answered a poll. Kept apart from what they answered when the poll is anonymous."""

    poll = models.ForeignKey(PollPage, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="poll_participations"
    )
    visitor = models.CharField(max_length=64, blank=True, default="", help_text="signed cookie token of a visitor")
    answered_on = models.DateField(default=timezone.localdate)

    class Meta:
        verbose_name = _("poll participation")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "user"], condition=Q(user__isnull=False), name="one_response_per_user_per_poll"
            ),
            models.UniqueConstraint(
                fields=["poll", "visitor"], condition=~Q(visitor=""), name="one_response_per_visitor_per_poll"
            ),
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(visitor=""), name="participation_has_someone"),
        ]

    def __str__(self):
        return f"{self.poll_id}: {self.user_id or 'visitor'}"


class Response(models.Model):
    """What was answered. Linked to the person only when the poll is not anonymous."""

    poll = models.ForeignKey(PollPage, on_delete=models.CASCADE, related_name="responses")
    community = models.ForeignKey("regions.Community", on_delete=models.CASCADE, related_name="poll_responses")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="poll_responses"
    )
    # A date only: an exact time would re-link anonymous responses to the roll.
    submitted_on = models.DateField(default=timezone.localdate)

    class Meta:
        verbose_name = _("poll response")
        verbose_name_plural = _("poll responses")

    def __str__(self):
        return _("Response %(pk)s to %(poll)s") % {"pk": self.pk, "poll": self.poll.title}


class Answer(models.Model):
    class TextStatus(models.TextChoices):
        NOT_TEXT = "", _("Not free text")
        PENDING = "pending", _("Awaiting moderation")
        APPROVED = "approved", _("Approved for publication")
        REJECTED = "rejected", _("Not published")

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question_key = models.CharField(max_length=20)
    value = models.JSONField()
    text_status = models.CharField(_("publication"), max_length=10, choices=TextStatus.choices, blank=True, default="")

    class Meta:
        verbose_name = _("answer")
        indexes = [models.Index(fields=["question_key", "text_status"])]

    def __str__(self):
        return str(self.value)[:60]
