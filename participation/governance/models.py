"""The self-governance section's own page types: the residents' convention (居民公约), whose published
versions are Wagtail's revisions and which residents endorse once each, and the minutes of the
deliberation council (议事会)."""

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page, PageLogEntry

from communities.pages.models import PortalPage
from portal.accounts.actions import decide, resident_action


def _community_of(page):
    from communities.regions.models import Community

    return Community.objects.filter(root_page__in=page.get_ancestors()).first()


class ConventionPage(RoutablePageMixin, PortalPage):
    """The residents' convention. Each publication is a version residents can read again; residents
    endorse the convention once each (the one decision: `governance.endorse`)."""

    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    adopted_by = models.CharField(
        _("adopted by"), max_length=200, blank=True, help_text=_("For example: 居民会议, 2026年3月")
    )
    body = RichTextField(_("text of the convention"))

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("adopted_on"), FieldPanel("adopted_by")], heading=_("Adoption")),
        FieldPanel("body"),
    ]
    parent_page_types = ["community_pages.CommunityHomePage"]
    subpage_types = []
    max_count_per_parent = 1
    template = "governance/convention_page.html"

    class Meta:
        verbose_name = _("residents' convention")

    def community(self):
        return _community_of(self)

    def published_versions(self):
        """(log entry, revision) of every publication, newest first: the versions residents can read."""
        return (
            PageLogEntry.objects.filter(page=self, action="wagtail.publish", revision__isnull=False)
            .select_related("revision")
            .order_by("-timestamp")
        )

    def endorsement_count(self) -> int:
        return self.endorsements.count()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        user = request.user
        community = self.community()
        context["community"] = community
        context["endorsements"] = self.endorsement_count()
        context["versions"] = list(self.published_versions()[:20])
        context["endorsed"] = user.is_authenticated and self.endorsements.filter(user=user).exists()
        context["refusal"] = (
            decide(user, community, "governance.endorse") if user.is_authenticated and community else None
        )
        return context

    @path("")
    def index(self, request):
        return PortalPage.serve(self, request)

    @path("versions/<id:revision_id>/")
    def version(self, request, revision_id):
        entry = self.published_versions().filter(revision_id=revision_id).first()
        if entry is None:
            raise Http404
        return render(
            request,
            "governance/convention_version.html",
            {"page": self, "version": entry.revision.as_object(), "published_at": entry.timestamp},
        )

    @path("endorse/")
    @resident_action("governance.endorse", methods=("POST",), community=lambda page, request: page.community())
    def endorse(self, request):
        from django.contrib import messages

        from portal.core import page_cache

        if request.method != "POST":
            return redirect(self.url)
        try:
            with transaction.atomic():
                ConventionEndorsement.objects.create(page=self, user=request.user)
        except IntegrityError:
            messages.info(request, gettext("You have already endorsed the convention."))
        else:
            messages.success(request, gettext("Thank you: your endorsement is counted."))
            site = self.get_site()
            if site is not None:
                page_cache.purge_site(site.pk)  # the count on the cached page
        return redirect(self.url)


class ConventionEndorsement(models.Model):
    """One resident endorses the convention. One per person: the database forbids a second."""

    page = models.ForeignKey(ConventionPage, on_delete=models.CASCADE, related_name="endorsements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("endorsed"), default=timezone.now)

    class Meta:
        verbose_name = _("endorsement of the convention")
        verbose_name_plural = _("endorsements of the convention")
        constraints = [models.UniqueConstraint(fields=["page", "user"], name="convention_endorsed_once")]

    def __str__(self):
        return f"{self.user_id} → {self.page_id}"


class MinutesIndexPage(PortalPage):
    """The deliberation council's (议事会) minutes, newest meeting first."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["community_pages.CommunityHomePage"]
    subpage_types = ["governance.MinutesPage"]
    max_count_per_parent = 1
    template = "governance/minutes_index_page.html"

    class Meta:
        verbose_name = _("council minutes index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["meetings"] = MinutesPage.objects.live().child_of(self).order_by("-meeting_date", "-pk")[:200]
        return context


class MinutesPage(PortalPage):
    meeting_date = models.DateField(_("meeting date"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    attendees = models.TextField(
        _("present"), blank=True, help_text=_("Who took part, as published (names and roles).")
    )
    body = RichTextField(_("minutes"))
    decisions = RichTextField(_("decisions"), blank=True, help_text=_("What the council agreed, in plain words."))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("meeting_date"), FieldPanel("location"), FieldPanel("attendees")], heading=_("Meeting")
        ),
        FieldPanel("body"),
        FieldPanel("decisions"),
    ]
    parent_page_types = ["governance.MinutesIndexPage"]
    subpage_types = []
    template = "governance/minutes_page.html"

    class Meta:
        verbose_name = _("council minutes")
        verbose_name_plural = _("council minutes")

    @property
    def date(self):  # what listings (communities/_item_list.html) show
        return self.meeting_date
