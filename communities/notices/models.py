from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from communities.pages.models import PortalPage
from portal.core.tree import below


class NoticeQuerySet(PageQuerySet):
    def current(self, now=None):
        """Notices in force now: expired and not-yet-valid ones drop off by themselves."""
        now = now or timezone.now()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=now)).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=now)
        )

    def seconds_until_listings_change(self, ceiling: int, within=None) -> int:
        """How long a listing of current notices stays right: until the next one starts or ends."""
        now = timezone.now()
        horizon = now + timedelta(seconds=ceiling)
        notices = self.live()
        if within is not None:
            notices = notices.filter(below(within))
        soonest = [
            notices.filter(valid_from__gt=now, valid_from__lt=horizon).aggregate(t=models.Min("valid_from"))["t"],
            notices.filter(valid_until__gt=now, valid_until__lt=horizon).aggregate(t=models.Min("valid_until"))["t"],
        ]
        soonest = [t for t in soonest if t is not None]
        if not soonest:
            return ceiling
        return max(1, int((min(soonest) - now).total_seconds()) + 1)


NoticeManager = PageManager.from_queryset(NoticeQuerySet)


class NoticeTag(TaggedItemBase):
    content_object = ParentalKey("NoticePage", related_name="tagged_items", on_delete=models.CASCADE)


class NoticeIndexPage(PortalPage):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["community_pages.CommunityHomePage"]
    subpage_types = ["community_notices.NoticePage"]
    max_count_per_parent = 1
    template = "communities/notice_index_page.html"

    class Meta:
        verbose_name = _("notice index")

    def get_context(self, request, *args, **kwargs):
        from portal.core.pagination import paginate

        context = super().get_context(request, *args, **kwargs)
        notices = NoticePage.objects.live().current().child_of(self).order_by("-pinned", "-first_published_at")
        context["notices"] = paginate(request, notices)
        return context

    def page_cache_seconds(self, request):
        return NoticePage.objects.seconds_until_listings_change(super().page_cache_seconds(request), within=self)


class NoticePage(PortalPage):
    """A notice (通知公告) in force between valid-from and valid-until; pinned ones list first."""

    summary = models.CharField(_("summary"), max_length=200, blank=True)
    body = RichTextField(_("body"))
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    issuer = models.CharField(_("issued by"), max_length=100, blank=True)
    tags = ClusterTaggableManager(through=NoticeTag, blank=True, verbose_name=_("tags"))

    objects = NoticeManager()

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("valid_from"), FieldPanel("valid_until"), FieldPanel("pinned"), FieldPanel("issuer")],
            heading=_("Validity"),
        ),
        FieldPanel("tags"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["community_notices.NoticeIndexPage"]
    subpage_types = []
    template = "communities/notice_page.html"

    class Meta:
        verbose_name = _("notice")
        indexes = [models.Index(fields=["valid_until"]), models.Index(fields=["valid_from"])]

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("A notice must end after it starts.")})

    @property
    def is_current(self) -> bool:
        now = timezone.now()
        return (self.valid_from is None or self.valid_from <= now) and (
            self.valid_until is None or self.valid_until > now
        )
