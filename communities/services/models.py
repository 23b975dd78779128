from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from communities.pages.models import PortalPage
from communities.regions.located import Located


class ServiceDirectoryPage(PortalPage):
    """办事服务: the community's services, grouped by kind."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["community_pages.CommunityHomePage"]
    subpage_types = ["community_services.ServicePage"]
    max_count_per_parent = 1
    template = "communities/service_directory_page.html"

    class Meta:
        verbose_name = _("service directory")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        services = list(ServicePage.objects.live().child_of(self).order_by("title"))
        context["groups"] = [
            (kind, label, [s for s in services if s.kind == kind]) for kind, label in ServicePage.Kind.choices
        ]
        return context


class ServicePage(Located, PortalPage):
    """One service: administrative (政务服务), public-benefit (公益服务) or market (便民/市场服务)."""

    class Kind(models.TextChoices):
        ADMINISTRATIVE = "administrative", _("Administrative services")
        PUBLIC_BENEFIT = "public_benefit", _("Public-benefit services")
        MARKET = "market", _("Market services")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ADMINISTRATIVE)
    summary = models.CharField(_("summary"), max_length=250, blank=True)
    provider = models.CharField(_("provided by"), max_length=100, blank=True)
    materials = RichTextField(_("materials needed"), blank=True, features=["ol", "ul", "bold"])
    office_hours = models.CharField(_("office hours"), max_length=200, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    fee = models.CharField(_("fee"), max_length=100, blank=True)
    body = RichTextField(_("details"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("kind"),
        FieldPanel("summary"),
        FieldPanel("provider"),
        MultiFieldPanel(
            [FieldPanel("materials"), FieldPanel("office_hours"), FieldPanel("place"), FieldPanel("phone")],
            heading=_("How to apply"),
        ),
        Located.location_panel(),
        FieldPanel("fee"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["community_services.ServiceDirectoryPage"]
    subpage_types = []
    template = "communities/service_page.html"

    class Meta:
        verbose_name = _("service")
