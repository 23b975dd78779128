"""The complaints' figures for decision support (portal.insights), registered from ComplaintsConfig.ready.

Levels (open, overdue) are reconstructed from the timeline as the data stood at the end of the period: a
complaint's state then is the `to_state` of its last state change before that moment, else the
`from_state` of its first state change (it had not moved yet), else its current state (no timeline).
So a complaint closed on Monday and reopened on Wednesday still counts as closed at the end of Tuesday."""

import re
from datetime import timedelta

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce, Cos, Radians
from django.utils.translation import gettext_lazy as _

from portal.insights import query, registry
from portal.insights.registry import DURATION, FLOW, LEVEL, Figure, Ratio, Section, bucket_for

from .models import OPEN_STATES, CaseState, Complaint, ComplaintEvent, ServiceCategory

STATE = ComplaintEvent.Kind.STATE
RESPONSE_KINDS = [ComplaintEvent.Kind.STATE, ComplaintEvent.Kind.REPLY]


def state_at(moment):
    """An expression: a complaint's case state at `moment`."""
    events = ComplaintEvent.objects.filter(complaint=OuterRef("pk"), kind=STATE)
    last_before = events.filter(created_at__lt=moment).order_by("-created_at", "-pk").values("to_state")[:1]
    first_ever = events.order_by("created_at", "pk").values("from_state")[:1]
    return Coalesce(Subquery(last_before), Subquery(first_ever), F("state"))


class SecondsBetween(Func):
    """later - earlier in seconds, to the millisecond, computed by the database: a day's durations are read as
    numbers, not as two timestamps each parsed into Python (most of what reading them cost)."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="(EXTRACT(EPOCH FROM (%(expressions)s)))::float8", arg_joiner=" - ", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        # julianday() is a float of days: rounded to the millisecond, whole seconds come out exact.
        return super().as_sql(
            compiler,
            connection,
            template="ROUND((julianday(%(expressions)s)) * 86400.0, 3)",
            arg_joiner=") - julianday(",
            **extra,
        )


def _hours_bucket(seconds) -> int:
    return bucket_for(seconds / 3600)


def _grouped(queryset, community="community_id", category="category__service_code"):
    # One row per complaint (the joins are to-one): a plain count, hashed, not a sort for DISTINCT.
    for row in queryset.values(community, category).annotate(n=Count("pk")).order_by():
        yield row[community], row[category], 0, row["n"]


def new(start, end):
    return _grouped(Complaint.objects.filter(created_at__gte=start, created_at__lt=end))


MOVES_COUNTED = [CaseState.CLOSED, CaseState.ESCALATED, CaseState.EVALUATED]


def _moves(start, end) -> list[tuple]:
    """The state changes into closed, escalated or evaluated in [start, end), each as (complaint id, community
    id, category code, rating, to state, seconds since submission): one read for the five figures counted from
    them (closed, escalated, the two ratings, time to close), shared within a dashboard's snapshot."""

    def compute():
        codes = _category_codes()
        rows = ComplaintEvent.objects.filter(
            kind=STATE, to_state__in=MOVES_COUNTED, created_at__gte=start, created_at__lt=end
        ).values_list(
            "complaint_id",
            "complaint__community_id",
            "complaint__category_id",
            "complaint__rating",
            "to_state",
            SecondsBetween("created_at", "complaint__created_at"),
        )
        return [(pk, community, codes.get(category), *rest) for pk, community, category, *rest in rows]

    return query.shared(("complaints.moves", start, end), compute)


def _complaints_moved(start, end, state, rating=None):
    """(community_id, code, 0, n) of the complaints that moved to `state` in [start, end) (each counted once),
    only those rated `rating` when given."""
    seen, counts = set(), {}
    for pk, community_id, code, rated, to_state, _waited in _moves(start, end):
        if to_state != state or (rating is not None and rated != rating) or pk in seen:
            continue
        seen.add(pk)
        counts[(community_id, code)] = counts.get((community_id, code), 0) + 1
    for (community_id, code), n in counts.items():
        yield community_id, code, 0, n


def closed(start, end):
    return _complaints_moved(start, end, CaseState.CLOSED)


def escalated(start, end):
    return _complaints_moved(start, end, CaseState.ESCALATED)


# The city's answers: a state change or a reply from the city's system (from_city). Its notes ("the case is
# already further along") are no answer. Only escalated complaints reach the city, so only they have any.
CITY_ANSWER = Q(from_city=True, kind__in=RESPONSE_KINDS)


def _first_answered_by_city(start, end, **filters):
    """The complaints whose FIRST answer from the city fell in [start, end) (so a complaint counts once, on
    that day, however often the city answers it)."""
    answered = ComplaintEvent.objects.filter(CITY_ANSWER, created_at__gte=start, created_at__lt=end)
    earlier = ComplaintEvent.objects.filter(CITY_ANSWER, complaint=OuterRef("pk"), created_at__lt=start)
    return Complaint.objects.filter(pk__in=answered.values("complaint_id"), **filters).filter(~Exists(earlier))


def city_answered(start, end):
    """Escalated complaints answered by the city: counted on the day of the city's first answer."""
    codes = _category_codes()
    rows = _first_answered_by_city(start, end).values_list("community_id", "category_id").annotate(n=Count("pk"))
    for community_id, category_id, n in rows.order_by():
        yield community_id, codes.get(category_id), 0, n


def evaluated(rating):
    def compute(start, end):
        return _complaints_moved(start, end, CaseState.EVALUATED, rating)

    return compute


def _open_at(end, **filters):
    """The complaints open at `end`, as querysets whose union it is. A complaint with no state change
    since `end` was then in the state it is in now (read from its indexed column); only the few that moved
    since are replayed from their timeline. So today's live figure and last night's roll-up read the open
    complaints and the recent moves, not every complaint ever filed. When nothing moved since `end` (today's
    figure, asked for up to now) the open complaints are simply those open now: one index-only read."""
    existing = Complaint.objects.filter(created_at__lt=end, **filters)
    if not ComplaintEvent.objects.filter(kind=STATE, created_at__gte=end).exists():
        return (existing.filter(state__in=list(OPEN_STATES)),)
    moved_since = ComplaintEvent.objects.filter(complaint=OuterRef("pk"), kind=STATE, created_at__gte=end)
    unmoved = existing.filter(~Exists(moved_since), state__in=list(OPEN_STATES))
    moved = existing.filter(Exists(moved_since)).annotate(state_then=state_at(end))
    return unmoved, moved.filter(state_then__in=list(OPEN_STATES))


def _category_codes() -> dict:
    """{category id: service code}, once per dashboard: the counts group by the id (from the open complaints'
    index alone) instead of joining the categories."""
    return query.shared(
        "complaints.category_codes", lambda: dict(ServiceCategory.objects.values_list("pk", "service_code"))
    )


def _open_counts(end) -> dict:
    """{(community_id, category code, overdue): n} of the complaints open at `end`: one read of the open complaints
    for both the open and the overdue figure (shared within a dashboard's snapshot)."""

    def compute():
        overdue = ExpressionWrapper(Q(deadline__lt=end), output_field=BooleanField())
        codes = _category_codes()
        counts: dict = {}
        for queryset in _open_at(end):
            rows = queryset.annotate(overdue=overdue).values_list("community_id", "category_id", "overdue")
            for community_id, category_id, is_overdue, n in rows.annotate(n=Count("pk")).order_by():
                key = (community_id, codes.get(category_id), bool(is_overdue))
                counts[key] = counts.get(key, 0) + n
        return counts

    return query.shared(("complaints.open", end), compute)


def _summed(counts: dict, overdue_only: bool):
    total: dict = {}
    for (community_id, code, overdue), n in counts.items():
        if overdue or not overdue_only:
            total[(community_id, code)] = total.get((community_id, code), 0) + n
    for (community_id, code), n in total.items():
        yield community_id, code, 0, n


def open_at(start, end):
    return _summed(_open_counts(end), overdue_only=False)


def overdue_at(start, end):
    return _summed(_open_counts(end), overdue_only=True)


def first_response(start, end):
    """Hours from submission to the first answer (a state change or a reply), counted on the answer's day."""
    answered = ComplaintEvent.objects.filter(kind__in=RESPONSE_KINDS, created_at__gte=start, created_at__lt=end)
    firsts = (
        Complaint.objects.filter(pk__in=answered.values("complaint_id"))
        .annotate(first_at=Min("events__created_at", filter=Q(events__kind__in=RESPONSE_KINDS)))
        .filter(first_at__gte=start, first_at__lt=end)
        .annotate(waited=SecondsBetween("first_at", "created_at"))
        .values_list("community_id", "category_id", "waited")
    )
    codes = _category_codes()
    for community_id, category_id, waited in firsts:
        yield community_id, codes.get(category_id), _hours_bucket(waited), 1


def time_to_close(start, end):
    """Hours from submission to closing, counted on the day it closed (each closing, if closed again)."""
    for _pk, community_id, code, _rating, to_state, waited in _moves(start, end):
        if to_state == CaseState.CLOSED:
            yield community_id, code, _hours_bucket(waited), 1


# Repeat complaints at the same place: a complaint is a repeat when an earlier complaint of the same community
# (of any category) was submitted at most REPEAT_DAYS before it, at most REPEAT_METRES from it north-south and
# east-west (a square of twice that side around it). Only pinned complaints (with coordinates) can be repeats:
# the address is free text ("翠园小区") and too coarse to say "the same place". Counted on the repeat's day.
REPEAT_DAYS = 90
REPEAT_METRES = 50
METRES_PER_DEGREE = 111_320  # of latitude; of longitude, times the cosine of the latitude


def repeat_expression(since=None):
    """An expression: whether a complaint repeats an earlier one at the same place (see above). `since`: no
    complaint asked about was submitted before since + REPEAT_DAYS (a bound the database can use first, so
    it reads the recent complaints only, not every complaint ever filed)."""
    degrees = REPEAT_METRES / METRES_PER_DEGREE
    east_west = ExpressionWrapper(degrees / Cos(Radians(OuterRef("latitude"))), output_field=FloatField())
    earlier = Complaint.objects.filter(
        community_id=OuterRef("community_id"),
        created_at__lt=OuterRef("created_at"),
        created_at__gte=OuterRef("created_at") - timedelta(days=REPEAT_DAYS),
        latitude__gte=OuterRef("latitude") - degrees,
        latitude__lte=OuterRef("latitude") + degrees,
        longitude__gte=OuterRef("longitude") - east_west,
        longitude__lte=OuterRef("longitude") + east_west,
    )
    if since is not None:
        earlier = earlier.filter(created_at__gte=since)
    return Exists(earlier)


def _repeats(since=None, **filters):
    return (
        Complaint.objects.filter(latitude__isnull=False, longitude__isnull=False, **filters)
        .annotate(repeats=repeat_expression(since))
        .filter(repeats=True)
    )


def repeated(start, end):
    since = start - timedelta(days=REPEAT_DAYS)
    return _grouped(_repeats(since, created_at__gte=start, created_at__lt=end))


def mask_place(address: str) -> str:
    """An address without its numbers (building, unit, room, house number): the place, not the home."""
    return re.sub(r"\d+", "*", address)


def repeat_items(community_ids, start, end, dimension=None):
    """The repeat complaints with the place (the point to about 100 m, the address without its numbers) and
    the earlier complaint they repeat (the latest one); no reporter, text, phone or full address."""
    rows = _repeats(community_id__in=community_ids, created_at__gte=start, created_at__lt=end)
    if dimension:
        rows = rows.filter(category__service_code=dimension)
    rows = rows.select_related("community", "category").order_by("-created_at")[:500]
    columns = [
        _("Number"),
        _("Submitted"),
        _("Community"),
        _("Category"),
        _("State"),
        _("Place (masked)"),
        _("Point (about 100 m)"),
        _("Repeats complaint"),
    ]
    rows = list(rows)
    candidates = []
    if rows:
        candidates = list(
            Complaint.objects.filter(
                community_id__in={c.community_id for c in rows},
                created_at__lt=max(c.created_at for c in rows),
                created_at__gte=min(c.created_at for c in rows) - timedelta(days=REPEAT_DAYS),
                latitude__isnull=False,
                longitude__isnull=False,
            )
            .only("pk", "community_id", "created_at", "latitude", "longitude")
            .order_by("-created_at", "-pk")
        )
    data = []
    for c in rows:
        previous = next(
            (
                e.pk
                for e in candidates
                if e.community_id == c.community_id
                and c.created_at - timedelta(days=REPEAT_DAYS) <= e.created_at < c.created_at
                and same_place(c, e)
            ),
            None,
        )
        point = f"{float(c.latitude):.3f}, {float(c.longitude):.3f}"
        data.append(
            (
                c.pk,
                c.created_at,
                c.community.name,
                c.category.name,
                c.get_state_display(),
                mask_place(c.address),
                point,
                previous,
            )
        )
    return columns, data


def same_place(a, b) -> bool:
    """The rule of `repeat_expression`, for two complaints in Python (b earlier than a)."""
    import math

    degrees = REPEAT_METRES / METRES_PER_DEGREE
    east_west = degrees / math.cos(math.radians(float(a.latitude)))
    return (
        abs(float(a.latitude) - float(b.latitude)) <= degrees
        and abs(float(a.longitude) - float(b.longitude)) <= east_west
    )


def category_names() -> dict:
    return dict(ServiceCategory.objects.values_list("service_code", "name"))


def _item_list(rows, dimension, waited=None):
    """(columns, rows) of complaints for the drill-down: no personal data (no reporter, text, address,
    phone), so nothing needs masking; at most the latest 500. `waited`: the label of a last column, the hours
    in the rows' `waited` annotation (seconds), for the time figures."""
    if dimension:
        rows = rows.filter(category__service_code=dimension)
    columns = [_("Number"), _("Submitted"), _("Community"), _("Category"), _("State"), _("Deadline")]
    data = [
        (c.pk, c.created_at, c.community.name, c.category.name, c.get_state_display(), c.deadline)
        + ((round(c.waited / 3600, 1),) if waited else ())
        for c in rows.select_related("community", "category").order_by("-created_at")[:500]
    ]
    return columns + ([waited] if waited else []), data


def first_response_items(community_ids, start, end, dimension=None):
    """The complaints first answered in the period, with the hours each waited (the histogram's items)."""
    answered = ComplaintEvent.objects.filter(kind__in=RESPONSE_KINDS, created_at__gte=start, created_at__lt=end)
    rows = (
        Complaint.objects.filter(community_id__in=community_ids, pk__in=answered.values("complaint_id"))
        .annotate(first_at=Min("events__created_at", filter=Q(events__kind__in=RESPONSE_KINDS)))
        .filter(first_at__gte=start, first_at__lt=end)
        .annotate(waited=SecondsBetween("first_at", "created_at"))
    )
    return _item_list(rows, dimension, waited=_("Hours to the first answer"))


def time_to_close_items(community_ids, start, end, dimension=None):
    """The complaints closed in the period, with the hours from submission to their last closing in it."""
    closings = ComplaintEvent.objects.filter(
        kind=STATE, to_state=CaseState.CLOSED, created_at__gte=start, created_at__lt=end
    )
    closed_in_period = Q(events__kind=STATE, events__to_state=CaseState.CLOSED)
    closed_in_period &= Q(events__created_at__gte=start, events__created_at__lt=end)
    rows = (
        Complaint.objects.filter(community_id__in=community_ids, pk__in=closings.values("complaint_id"))
        .annotate(last_closing=Max("events__created_at", filter=closed_in_period))
        .filter(last_closing__isnull=False)
        .annotate(waited=SecondsBetween("last_closing", "created_at"))
    )
    return _item_list(rows, dimension, waited=_("Hours to close"))


def new_items(community_ids, start, end, dimension=None):
    rows = Complaint.objects.filter(community_id__in=community_ids, created_at__gte=start, created_at__lt=end)
    return _item_list(rows, dimension)


def _either(querysets):
    if len(querysets) == 1:
        return querysets[0]
    unmoved, moved = querysets
    return Complaint.objects.filter(Q(pk__in=unmoved.values("pk")) | Q(pk__in=moved.values("pk")))


def open_items(community_ids, start, end, dimension=None):
    return _item_list(_either(_open_at(end, community_id__in=community_ids)), dimension)


def overdue_items(community_ids, start, end, dimension=None):
    return _item_list(_either(_open_at(end, community_id__in=community_ids, deadline__lt=end)), dimension)


def moved_items(state, **rated):
    def items(community_ids, start, end, dimension=None):
        moved = ComplaintEvent.objects.filter(
            kind=STATE, to_state=state, created_at__gte=start, created_at__lt=end
        ).values("complaint_id")
        rows = Complaint.objects.filter(community_id__in=community_ids, pk__in=moved, **rated)
        return _item_list(rows, dimension)

    return items


def city_answered_items(community_ids, start, end, dimension=None):
    return _item_list(_first_answered_by_city(start, end, community_id__in=community_ids), dimension)


ITEMS = {
    "complaints.new": new_items,
    "complaints.open": open_items,
    "complaints.overdue": overdue_items,
    "complaints.closed": moved_items(CaseState.CLOSED),
    "complaints.escalated": moved_items(CaseState.ESCALATED),
    "complaints.city_answered": city_answered_items,
    "complaints.satisfied": moved_items(CaseState.EVALUATED, rating=Complaint.Rating.SATISFIED),
    "complaints.not_satisfied": moved_items(CaseState.EVALUATED, rating=Complaint.Rating.NOT_SATISFIED),
    "complaints.repeat": repeat_items,
    "complaints.first_response": first_response_items,
    "complaints.time_to_close": time_to_close_items,
}


def register():
    registry.register_section(Section("complaints", _("Complaints"), order=10, year_on_year=True))
    registry.register_sources("complaints", Complaint, ComplaintEvent, ServiceCategory)
    common = {
        "section": "complaints",
        "dimension_label": _("Category"),
        "dimension_names": category_names,
        "filtered_by_category": True,
    }
    for order, (key, label, kind, compute) in enumerate(
        [
            ("complaints.new", _("New complaints"), FLOW, new),
            ("complaints.open", _("Open complaints (at the end of the period)"), LEVEL, open_at),
            ("complaints.overdue", _("Overdue complaints (open past their deadline)"), LEVEL, overdue_at),
            ("complaints.closed", _("Complaints closed"), FLOW, closed),
            ("complaints.escalated", _("Complaints escalated to the city"), FLOW, escalated),
            (
                "complaints.city_answered",
                _("Escalated complaints answered by the city (first answer in the period)"),
                FLOW,
                city_answered,
            ),
            ("complaints.satisfied", _("Rated satisfied"), FLOW, evaluated(Complaint.Rating.SATISFIED)),
            ("complaints.not_satisfied", _("Rated not satisfied"), FLOW, evaluated(Complaint.Rating.NOT_SATISFIED)),
            ("complaints.first_response", _("Time to first response"), DURATION, first_response),
            ("complaints.time_to_close", _("Time to close"), DURATION, time_to_close),
            ("complaints.repeat", _("Repeat complaints at the same place (within 50 m and 90 days)"), FLOW, repeated),
        ]
    ):
        registry.register(
            Figure(
                key,
                label,
                kind=kind,
                compute=compute,
                items=ITEMS.get(key),
                trend=key in ("complaints.new", "complaints.open", "complaints.overdue", "complaints.closed"),
                order=order,
                **common,
            )
        )
    for order, (key, label, numerator, denominator, scale) in enumerate(
        [
            (
                "complaints.overdue_share",
                _("Overdue share of open complaints (%)"),
                ("complaints.overdue",),
                ("complaints.open",),
                100,
            ),
            (
                "complaints.escalated_share",
                _("Escalated to the city, of new complaints (%)"),
                ("complaints.escalated",),
                ("complaints.new",),
                100,
            ),
            (
                "complaints.satisfaction",
                _("Satisfied, of rated complaints (%)"),
                ("complaints.satisfied",),
                ("complaints.satisfied", "complaints.not_satisfied"),
                100,
            ),
            (
                "complaints.per_1000",
                _("New complaints per 1,000 residents"),
                ("complaints.new",),
                ("communities.population",),
                1000,
            ),
        ]
    ):
        registry.register_ratio(Ratio(key, label, "complaints", numerator, denominator, scale=scale, order=100 + order))
