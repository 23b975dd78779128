"""/api/v1/polls: polls (民意调查) with their questions, and their results where the site shows them to
anyone (live results, or after the poll closes); free-text answers are counted, never listed."""

from datetime import datetime

from django.http import HttpResponse
from ninja import Router, Schema
from ninja.errors import HttpError

from communities.pages.api import BASE_TYPES, PageOut, _homes, _subtree, export_fields, page_export
from portal.api.http import DEFAULT_LIMIT, ERRORS, page_of, paginate, set_last_modified
from portal.api.registry import register

from .models import PollPage
from .tally import poll_results

router = Router(tags=["polls"])


class QuestionOut(Schema):
    key: str
    kind: str
    text: str
    choices: list[str]
    rows: list[str]


class BarOut(Schema):
    label: str
    count: int
    percent: float


class ResultOut(Schema):
    key: str
    answered: int
    bars: list[BarOut]
    mean: float | None


class PollOut(PageOut):
    opens: datetime
    closes: datetime
    audience: str
    results_published: bool


class PollDetailOut(PollOut):
    questions: list[QuestionOut]
    responses: int | None
    results: list[ResultOut] | None


def _published(poll: PollPage) -> bool:
    """What the site shows an anonymous visitor (PollPage.results_visible_to without staff)."""
    if poll.results_visibility == PollPage.ResultsVisibility.LIVE:
        return True
    return poll.results_visibility == PollPage.ResultsVisibility.AFTER_CLOSE and poll.is_closed


def _row(poll, homes) -> dict:
    from communities.pages.api import _base

    return _base(poll, homes) | {
        "opens": poll.opens_at,
        "closes": poll.closes_at,
        "audience": poll.audience,
        "results_published": _published(poll),
    }


@router.get("", response={200: page_of(PollOut), **ERRORS}, summary="Polls (民意调查)")
def polls(
    request,
    response: HttpResponse,
    community: str | None = None,
    street: str | None = None,
    district: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
):
    queryset = PollPage.objects.live().public().filter(_subtree(community, street, district))
    page, next_cursor = paginate(queryset, cursor, limit)
    homes = _homes(page)
    set_last_modified(response, [p.last_published_at for p in page])
    return {"items": [_row(p, homes) for p in page], "next_cursor": next_cursor}


@router.get("/{id:poll_id}", response={200: PollDetailOut, **ERRORS}, summary="One poll, with published results")
def poll(request, poll_id: int):
    found = PollPage.objects.live().public().filter(pk=poll_id).first()
    if found is None:
        raise HttpError(404, "No such poll.")
    item = _row(found, _homes([found]))
    item["questions"] = [
        {"key": q.key, "kind": q.kind, "text": q.text, "choices": list(q.choices), "rows": list(q.rows)}
        for q in found.question_list
    ]
    item["responses"], item["results"] = None, None
    if item["results_published"]:
        total, results = poll_results(found)
        item["responses"] = total
        item["results"] = [
            {
                "key": r.question.key,
                "answered": r.answered,
                "bars": [{"label": b.label, "count": b.count, "percent": b.percent} for b in r.bars],
                "mean": r.mean,
            }
            for r in results
        ]
    return item


def connect():
    from portal.api.opendata import Table
    from portal.api.registry import register_export

    types = BASE_TYPES | {"opens": "datetime", "closes": "datetime", "results_published": "boolean"}
    register_export(
        Table(
            "polls",
            "Polls",
            export_fields(PollOut, types),
            page_export(
                PollPage,
                lambda p: {
                    "opens": p.opens_at,
                    "closes": p.closes_at,
                    "audience": p.audience,
                    "results_published": _published(p),
                },
            ),
        )
    )
    register("polls", router)
