"""Organisations and their projects: the page rows are the approved, published version (drafts and
changes awaiting the community's approval live in revisions, never in the index)."""

from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.pages.search import PageIndexer
from portal.search import registry

from .models import OrganisationPage, ProjectPage


class OrganisationIndexer(PageIndexer):
    kind = "organisation"
    label = _("Social organisation")
    model = OrganisationPage
    text_fields = ("short_name", "purpose", "scope", "supervising_unit")


class ProjectIndexer(PageIndexer):
    kind = "project"
    label = _("Project")
    model = ProjectPage
    text_fields = ("description", "location", "target_group", "final_summary")

    def text(self, page):
        updates = " ".join(u.summary for u in page.updates.all() if getattr(u, "summary", ""))
        return super().text(page) + "\n" + updates

    def date(self, page):
        return (
            timezone.make_aware(datetime.combine(page.start_date, time(12))) if page.start_date else super().date(page)
        )


registry.register(OrganisationIndexer())
registry.register(ProjectIndexer())
