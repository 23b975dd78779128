"""/api/v1/elections: elections (民主选举) with their phases, posts and seats, the candidates once
their list is published, the result once the ballots are counted, and the sealed ballot log for
recounting (the same document as the site's download)."""

from datetime import datetime

from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from communities.regions.api import scope
from participation.deliberations import ballots
from participation.deliberations.api import PhaseOut
from portal.api.http import DEFAULT_LIMIT, ERRORS, check_format, csv_response, page_of, paginate
from portal.api.registry import register
from portal.core.phases import in_phase

from . import phases
from .box import accepted
from .models import Election, Phase

router = Router(tags=["elections"])

# The candidate list is public from its publication on (as on the election's page).
CANDIDATES_SHOWN = {Phase.CANDIDATES, Phase.VOTING, Phase.COUNTING, Phase.RESULTS}


class CandidateOut(Schema):
    name: str
    nominated_by: str
    statement: str


class PostOut(Schema):
    name: str
    seats: int
    candidates: list[CandidateOut] | None


class ElectionOut(Schema):
    id: int
    community: str
    committee: str
    title: str
    announcement: str
    round: int
    round_kind: str
    phase: str
    phases: list[PhaseOut]
    posts: list[PostOut]
    sealed: datetime | None
    result: dict | None
    log_head: str


def row(election: Election, with_candidates: bool = True) -> dict:
    phase = election.current_phase()
    shown = with_candidates and phase in CANDIDATES_SHOWN
    posts = accepted(election) if shown else dict.fromkeys(election.posts.all())
    return {
        "id": election.pk,
        "community": election.community.slug,
        "committee": election.kind,
        "title": election.title,
        "announcement": election.announcement,
        "round": election.round,
        "round_kind": election.round_kind,
        "phase": phase,
        "phases": [{"phase": p, "starts": when} for p, when in election.phase_starts() if when is not None],
        "posts": [
            {
                "name": post.name,
                "seats": post.seats,
                "candidates": None
                if candidates is None
                else [
                    {"name": c.person.public_name, "nominated_by": c.source, "statement": c.statement}
                    for c in candidates.values()
                ],
            }
            for post, candidates in posts.items()
        ],
        "sealed": election.sealed_at,
        "result": election.sealed_result if election.sealed_at else None,
        "log_head": election.log_head,
    }


@router.get("", response={200: page_of(ElectionOut), **ERRORS}, summary="Elections (民主选举)")
def elections(
    request,
    community: str | None = None,
    street: str | None = None,
    district: str | None = None,
    phase: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    format: str = "json",
):
    """Candidates are listed on the election itself (`/elections/{id}`); `result` is null until the
    ballots are counted and the log sealed."""
    check_format(format)
    if phase is not None and phase not in Phase.values:
        raise HttpError(400, f"phase: one of {', '.join(Phase.values)}")
    communities = scope(community, street, district)
    rows = Election.objects.select_related("community").prefetch_related("posts")
    if communities is not None:
        rows = rows.filter(community__in=communities)
    if phase:
        rows = rows.filter(in_phase(Election.PHASE_FIELDS, phase, timezone.now()))
    page, next_cursor = paginate(rows, cursor, limit)
    items = [row(e, with_candidates=False) for e in page]
    if format == "csv":
        flat = [
            i | {"phases": len(i["phases"]), "posts": [f"{p['name']}×{p['seats']}" for p in i["posts"]], "result": ""}
            for i in items
        ]
        return csv_response(ElectionOut, flat, "elections", next_cursor)
    return {"items": items, "next_cursor": next_cursor}


def _election(election_id: int) -> Election:
    found = Election.objects.select_related("community").filter(pk=election_id).first()
    if found is None:
        raise HttpError(404, "No such election.")
    return phases.advance(found)


@router.get("/{id:election_id}", response={200: ElectionOut, **ERRORS}, summary="One election, with its candidates")
def election(request, election_id: int):
    return row(_election(election_id))


@router.get(
    "/{id:election_id}/ballots",
    response={200: dict, **ERRORS},
    summary="The sealed ballot log",
    url_name="election_ballot_log",
)
def election_ballot_log(request, election_id: int):
    """The hash-chained ballot log published when voting closes (404 before), for recounting."""
    found = _election(election_id)
    if not found.sealed_at:
        raise HttpError(404, "The ballot log is published when voting closes.")
    return ballots.document(found)


EXPORT_FIELDS = [
    ("id", "integer", "Election number"),
    ("community", "string", "Community slug"),
    ("committee", "string", "residents or homeowners"),
    ("title", "string", "Title"),
    ("round", "integer", "1, or 2 for a later round (a run-off or a second round)"),
    ("phase", "string", "The phase the election is in"),
    ("posts", "string", "Posts and their seats, separated by ;"),
    ("sealed", "datetime", "When the ballot log was sealed"),
    ("log_head", "string", "Hash of the sealed ballot log's last entry"),
]


def export_rows(communities):
    rows = Election.objects.select_related("community").prefetch_related("posts").order_by("pk")
    if communities is not None:
        rows = rows.filter(community__in=communities)
    for election in rows:
        item = row(election, with_candidates=False)
        posts = ";".join(f"{p['name']}×{p['seats']}" for p in item["posts"])
        yield {name: item[name] for name, *_ in EXPORT_FIELDS} | {"posts": posts}


def connect():
    from portal.api.opendata import Field, Table
    from portal.api.registry import register_export

    register_export(Table("elections", "Elections (民主选举)", [Field(*f) for f in EXPORT_FIELDS], export_rows))
    register("elections", router)
