"""The search index's own table: one row per searchable item, of every kind and every community.

Indexers (registry.py) turn the items of each part into these rows; the search backend indexes the
rows. The database backend is Wagtail's (`wagtail.search.backends.database`: SQLite FTS5 or PostgreSQL
full-text search), which indexes the `title` and `body` search fields: the segmented text, never the
raw one. Elasticsearch, when configured, is fed from the same rows.
"""

from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from . import text


class SearchDocument(index.Indexed, models.Model):
    kind = models.CharField(_("kind"), max_length=30)
    object_id = models.CharField(_("item"), max_length=64)
    community_id = models.BigIntegerField(_("community"))
    street_id = models.BigIntegerField(null=True, blank=True)
    district_id = models.BigIntegerField(null=True, blank=True)
    public = models.BooleanField(_("visible to visitors"), default=True)
    visible_from = models.DateTimeField(null=True, blank=True)
    visible_until = models.DateTimeField(null=True, blank=True)
    date = models.DateTimeField(_("date"), default=timezone.now)
    heading = models.CharField(_("title"), max_length=300)
    title_prefix = models.CharField(max_length=30, blank=True)
    text = models.TextField(_("text"), blank=True)
    path = models.CharField(max_length=500)
    admin_path = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    # Indexed by our tasks after commit, never by Wagtail's save signal inside a request.
    search_auto_update = False
    search_fields = [
        index.SearchField("title", boost=3),
        index.SearchField("body"),
        index.FilterField("id"),  # the engine ranks a bounded set of candidates (pk__in)
        index.FilterField("kind"),
        index.FilterField("community_id"),
        index.FilterField("street_id"),
        index.FilterField("district_id"),
        index.FilterField("public"),
        index.FilterField("visible_from"),
        index.FilterField("visible_until"),
        index.FilterField("date"),
    ]

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_once")]
        indexes = [
            models.Index(fields=["community_id", "public"], name="search_doc_community"),
            models.Index(fields=["street_id", "public"], name="search_doc_street"),
            models.Index(fields=["district_id", "public"], name="search_doc_district"),
            models.Index(fields=["date"], name="search_doc_date"),
        ]

    def __str__(self):
        return f"{self.kind}:{self.object_id} {self.heading}"

    # What the backend indexes: segmented words, computed when indexing (not stored twice).
    # A title with a prefix (回复：) is borrowed from the item's parent: shown, not searched, so a
    # thread's replies do not all match its title.
    @cached_property
    def title(self) -> str:
        return "" if self.title_prefix else text.index_text(self.heading)

    @cached_property
    def body(self) -> str:
        # The title is part of the body too: BM25 then counts a word in the title twice.
        return text.index_text(self.text if self.title_prefix else self.heading + "\n" + self.text)
