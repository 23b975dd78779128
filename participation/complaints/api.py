"""/api/v1/complaints: the public record (反光镜) as data: category, community, status, dates and the
public replies; never the reporter, contact details, address, point or photos."""

from datetime import date, datetime

from django.db.models import Prefetch
from django.http import HttpResponse
from ninja import Router, Schema
from ninja.errors import HttpError

from communities.regions.api import scope
from portal.api.http import DEFAULT_LIMIT, ERRORS, check_format, csv_response, page_of, paginate, set_last_modified

from .masking import mask_personal_data
from .models import CaseState, Complaint, ComplaintEvent
from .views import public_complaints

router = Router(tags=["complaints"])


class ReplyOut(Schema):
    date: datetime
    state: str
    text: str
    from_city: bool


class ComplaintOut(Schema):
    id: int
    community: str
    kind: str
    category: str
    category_name: str
    status: str
    submitted: datetime
    closed: datetime | None
    description: str
    replies: list[ReplyOut]


def public_record(communities=None):
    """Public complaints of `communities` (all when None) with their public timeline, for one query each."""
    if communities is None:
        from communities.regions.models import Community

        communities = Community.objects.all()
    return (
        public_complaints(communities)
        .select_related("category", "community")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=ComplaintEvent.objects.exclude(kind=ComplaintEvent.Kind.NOTE).order_by("created_at", "pk"),
                to_attr="public_events",
            )
        )
    )


def row(c: Complaint) -> dict:
    return {
        "id": c.pk,
        "community": c.community.slug,
        "kind": c.kind,
        "category": c.category.service_code,
        "category_name": c.category.name,
        "status": c.state,
        "submitted": c.created_at,
        "closed": c.closed_at,
        "description": mask_personal_data(c.description),
        "replies": [
            {"date": e.created_at, "state": e.to_state, "text": mask_personal_data(e.text), "from_city": e.from_city}
            for e in c.public_events
        ],
    }


@router.get("", response={200: page_of(ComplaintOut), **ERRORS}, summary="The public record of complaints (反光镜)")
def complaints(
    request,
    response: HttpResponse,
    community: str | None = None,
    street: str | None = None,
    district: str | None = None,
    category: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    since: date | None = None,
    until: date | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    format: str = "json",
):
    """Newest first. `since`/`until` filter on the day submitted; `status` is a case state."""
    check_format(format)
    if status is not None and status not in CaseState.values:
        raise HttpError(400, f"status: one of {', '.join(CaseState.values)}")
    if kind is not None and kind not in Complaint.Kind.values:
        raise HttpError(400, f"kind: one of {', '.join(Complaint.Kind.values)}")
    rows = public_record(scope(community, street, district))
    if category:
        rows = rows.filter(category__service_code=category[:100])
    if status:
        rows = rows.filter(state=status)
    if kind:
        rows = rows.filter(kind=kind)
    if since:
        rows = rows.filter(created_at__date__gte=since)
    if until:
        rows = rows.filter(created_at__date__lte=until)
    page, next_cursor = paginate(rows, cursor, limit)
    items = [row(c) for c in page]
    set_last_modified(response, [c.last_city_update_at or c.closed_at or c.created_at for c in page])
    if format == "csv":
        flat = [i | {"replies": len(i["replies"])} for i in items]
        return csv_response(ComplaintOut, flat, "complaints", next_cursor)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/{id:complaint_id}", response={200: ComplaintOut, **ERRORS}, summary="One complaint of the public record")
def complaint(request, complaint_id: int):
    found = public_record().filter(pk=complaint_id).first()
    if found is None:
        raise HttpError(404, "No such complaint on the public record.")
    return row(found)


def export_rows(communities):
    for c in public_record(communities).order_by("pk"):
        item = row(c)
        yield item | {"replies": len(item["replies"])}


def connect():
    from portal.api import registry
    from portal.api.opendata import Field, Table

    registry.register("complaints", router)
    registry.register_export(
        Table(
            "complaints",
            "The public record of complaints (反光镜)",
            [
                Field("id", "integer", "Complaint number on the public record"),
                Field("community", "string", "Community slug"),
                Field("kind", "string", "dispute, hazard, suggestion or consultation"),
                Field("category", "string", "Service code of the category"),
                Field("category_name", "string", "Category"),
                Field("status", "string", "Case state"),
                Field("submitted", "datetime", "When it was submitted"),
                Field("closed", "datetime", "When it was closed"),
                Field("description", "string", "What happened (phone, ID and door numbers masked)"),
                Field("replies", "integer", "Number of public timeline entries"),
            ],
            export_rows,
        )
    )
