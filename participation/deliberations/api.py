"""/api/v1/deliberations: topics (阳光议事) with their phases and options, the result once the ballot
log is sealed, and the sealed ballot log itself (the same document as the site's download) for
recounting with `manage.py verify_ballots --file`."""

from datetime import datetime

from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from communities.regions.api import scope
from portal.api.http import DEFAULT_LIMIT, ERRORS, check_format, csv_response, page_of, paginate
from portal.api.registry import register
from portal.core.phases import in_phase

from . import ballots
from .models import Phase, Topic

router = Router(tags=["deliberations"])


class OptionOut(Schema):
    id: int
    label: str
    abstention: bool


class PhaseOut(Schema):
    phase: str
    starts: datetime | None


class TopicOut(Schema):
    id: int
    community: str
    title: str
    description: str
    phase: str
    phases: list[PhaseOut]
    options: list[OptionOut]
    secret: bool
    majority: str
    quorum_percent: int
    sealed: datetime | None
    result: dict | None
    log_head: str


def row(topic: Topic) -> dict:
    return {
        "id": topic.pk,
        "community": topic.community.slug,
        "title": topic.title,
        "description": topic.description,
        "phase": topic.current_phase(),
        "phases": [{"phase": p, "starts": when} for p, when in topic.phase_starts()],
        "options": [{"id": o.pk, "label": o.label, "abstention": o.is_abstention} for o in topic.options.all()],
        "secret": topic.secret,
        "majority": topic.majority,
        "quorum_percent": topic.quorum_percent,
        "sealed": topic.sealed_at,
        "result": topic.sealed_result if topic.sealed_at else None,  # published with the sealed log
        "log_head": topic.log_head,
    }


@router.get("", response={200: page_of(TopicOut), **ERRORS}, summary="Deliberation topics (阳光议事)")
def topics(
    request,
    community: str | None = None,
    street: str | None = None,
    district: str | None = None,
    phase: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    format: str = "json",
):
    """`result` is the sealed result (null until voting has closed and the log is sealed)."""
    check_format(format)
    if phase is not None and phase not in Phase.values:
        raise HttpError(400, f"phase: one of {', '.join(Phase.values)}")
    communities = scope(community, street, district)
    rows = Topic.objects.select_related("community").prefetch_related("options")
    if communities is not None:
        rows = rows.filter(community__in=communities)
    if phase:
        rows = rows.filter(in_phase(Topic.PHASE_FIELDS, phase, timezone.now()))
    page, next_cursor = paginate(rows, cursor, limit)
    items = [row(t) for t in page]
    if format == "csv":
        flat = [
            i | {"phases": len(i["phases"]), "options": [o["label"] for o in i["options"]], "result": ""} for i in items
        ]
        return csv_response(TopicOut, flat, "deliberations", next_cursor)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/{id:topic_id}", response={200: TopicOut, **ERRORS}, summary="One topic")
def topic(request, topic_id: int):
    found = Topic.objects.select_related("community").prefetch_related("options").filter(pk=topic_id).first()
    if found is None:
        raise HttpError(404, "No such topic.")
    return row(ballots.seal_if_due(found))


@router.get("/{id:topic_id}/ballots", response={200: dict, **ERRORS}, summary="The sealed ballot log, for recounting")
def ballot_log(request, topic_id: int):
    """The hash-chained ballot log published when voting closes (404 before)."""
    found = Topic.objects.select_related("community").filter(pk=topic_id).first()
    if found is None or not ballots.seal_if_due(found).sealed_at:
        raise HttpError(404, "The ballot log is published when voting closes.")
    return ballots.document(found)


def export_rows(communities):
    rows = Topic.objects.select_related("community").prefetch_related("options").order_by("pk")
    if communities is not None:
        rows = rows.filter(community__in=communities)
    for topic in rows:
        item = row(topic)
        yield {name: item[name] for name, *_ in EXPORT_FIELDS} | {
            "options": ";".join(o["label"] for o in item["options"])
        }


EXPORT_FIELDS = [
    ("id", "integer", "Topic number"),
    ("community", "string", "Community slug"),
    ("title", "string", "Title"),
    ("description", "string", "What is decided"),
    ("phase", "string", "proposal, discussion, voting, decided, carried_out or done"),
    ("options", "string", "The options, separated by ;"),
    ("secret", "boolean", "Secret ballot"),
    ("majority", "string", "The majority needed"),
    ("quorum_percent", "integer", "Quorum, percent of the electorate"),
    ("sealed", "datetime", "When the ballot log was sealed"),
    ("log_head", "string", "Hash of the sealed ballot log's last entry"),
]


def connect():
    from portal.api.opendata import Field, Table
    from portal.api.registry import register_export

    register_export(Table("deliberations", "Deliberations (阳光议事)", [Field(*f) for f in EXPORT_FIELDS], export_rows))
    register("deliberations", router)
