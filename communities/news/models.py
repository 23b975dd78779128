from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from communities.pages.models import PortalPage


class NewsTag(TaggedItemBase):
    content_object = ParentalKey("NewsArticlePage", related_name="tagged_items", on_delete=models.CASCADE)


class NewsIndexPage(PortalPage):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["community_pages.CommunityHomePage"]
    subpage_types = ["community_news.NewsArticlePage"]
    max_count_per_parent = 1
    template = "communities/news_index_page.html"

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        from portal.core.pagination import paginate

        context = super().get_context(request, *args, **kwargs)
        articles = NewsArticlePage.objects.live().child_of(self).order_by("-date", "-pk")
        context["articles"] = paginate(request, articles)
        return context


class NewsArticlePage(PortalPage):
    date = models.DateField(_("date"), default=timezone.localdate)
    intro = models.CharField(_("summary"), max_length=250, blank=True)
    body = RichTextField(_("body"))
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image"),
    )
    tags = ClusterTaggableManager(through=NewsTag, blank=True, verbose_name=_("tags"))

    content_panels = Page.content_panels + [
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("image"),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["community_news.NewsIndexPage"]
    subpage_types = []
    template = "communities/news_article_page.html"

    class Meta:
        verbose_name = _("news article")
        indexes = [models.Index(fields=["date"])]
