"""Complaints in the search index: the public record (反光镜) only, masked as on its pages."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.search import registry
from portal.search.registry import Document, Indexer

from .masking import mask_personal_data
from .models import Complaint, ComplaintEvent
from .states import PUBLIC_STATES_EXCLUDED


def is_on_public_record(complaint) -> bool:
    return complaint.public and complaint.state not in PUBLIC_STATES_EXCLUDED


class ComplaintIndexer(Indexer):
    kind = "complaint"
    label = _("Public complaint")
    model = Complaint
    # A reply on the public timeline is part of the record.
    watch = {ComplaintEvent: lambda event: [event.complaint_id] if event.is_public else []}

    def get_queryset(self):
        return Complaint.objects.select_related("category")

    def document(self, complaint):
        replies = (
            complaint.events.exclude(kind=ComplaintEvent.Kind.NOTE).exclude(text="").values_list("text", flat=True)
        )
        text = "\n".join([complaint.description, *replies])
        return Document(
            title=f"#{complaint.pk} {complaint.category.name}",
            text=mask_personal_data(text),
            community_id=complaint.community_id,
            date=complaint.created_at,
            path=reverse("complaints:mirror_item", args=[complaint.pk]),
            public=is_on_public_record(complaint),
            admin_path=reverse("complaints_admin:detail", args=[complaint.pk]),
        )


registry.register(ComplaintIndexer())
