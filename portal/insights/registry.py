"""The figures of decision support, supplied from above.

`portal.insights` imports nothing from `communities` or `participation`: each part registers the figures
it owns from its `AppConfig.ready()` (participation/complaints/insights.py is the worked example):

    from portal.insights import registry
    from portal.insights.registry import Figure, FLOW

    def new_complaints(start, end):
        rows = Complaint.objects.filter(created_at__gte=start, created_at__lt=end)
        for row in rows.values("community_id", "category__service_code").annotate(n=Count("pk")):
            yield row["community_id"], row["category__service_code"], 0, row["n"]

    registry.register(Figure("complaints.new", _("New complaints"), "complaints", FLOW, new_complaints))

A part also names the models its figures are computed from, so today's live figures can be kept across
requests until one of them changes (portal.insights.live):

    registry.register_sources("complaints", Complaint, ComplaintEvent)

`compute(start, end)` answers for EVERY community at once (one query, not one per community) and yields
`(community_id, dimension, bucket, value)`: a FLOW figure counts what happened in [start, end); a LEVEL
figure tells the level at `end` as the data stood then (a complaint reopened later was still closed at the
end of the day it was counted closed); a DURATION figure yields histogram counts (bucket = upper bound in
hours, from DURATION_BUCKETS). The daily roll-up stores what `compute` yields for each day; today's
figures are computed live, so a figure is exact up to the last event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

FLOW = "flow"  # events in the period: summed over days
LEVEL = "level"  # a level at the end of the period: the last day's value
DURATION = "duration"  # a histogram of durations (hours): median and 90th percentile

# Upper bounds of the duration histogram, in hours (the last catches everything longer).
DURATION_BUCKETS = [1, 2, 4, 8, 12, 24, 48, 72, 120, 168, 240, 336, 504, 720, 1440, 2160, 4320, 8760, 87600]


def bucket_for(hours: float) -> int:
    """The histogram bucket (upper bound in hours) a duration falls in."""
    for bound in DURATION_BUCKETS:
        if hours <= bound:
            return bound
    return DURATION_BUCKETS[-1]


@dataclass
class Figure:
    key: str  # "complaints.new": unique, stable (stored in the roll-up)
    label: object  # translatable
    section: str  # the dashboard section it shows in
    kind: str  # FLOW, LEVEL or DURATION
    compute: Callable[..., Iterable[tuple[int, str, int, int]]]
    # The items behind the number, for the drill-down: items(community_ids, start, end, dimension) returns
    # (columns, rows) with personal data already masked; None when a figure has no list of items.
    items: Callable | None = None
    # When the rows of `items` are groups of what the figure counts (a poll and its responses in the period),
    # the column holding each row's count: the figure's value is that column's sum. None: one row per item.
    items_count_column: int | None = None
    dimension_label: object = ""  # what the dimension is ("Category"), "" when the figure has none
    dimension_names: Callable[[], dict] | None = None  # {dimension: display name}
    description: object = ""
    order: int = 100
    trend: bool = False  # shown week by week in the section's trend table
    # The dashboard's category filter (a complaint category's service code) cuts this figure by its dimension;
    # a figure whose dimension is something else (an income category) is never cut by it.
    filtered_by_category: bool = False
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Link:
    """A cell of an item list that links somewhere (a topic's public page): shown as `text`, linking to `url`."""

    text: str
    url: str

    def __str__(self):
        return self.text


@dataclass
class Ratio:
    """A figure derived from others: sum(numerator) / sum(denominator) * scale, per area and in total
    (escalated share, turnout, complaints per 1,000 residents). None where the denominator is 0."""

    key: str
    label: object
    section: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    scale: int = 100
    order: int = 100
    description: object = ""


@dataclass
class Section:
    key: str
    label: object
    order: int = 100
    # The summary shows each figure for the same period a year earlier beside it, and the change (where the
    # section has any data a year earlier).
    year_on_year: bool = False


_figures: dict[str, Figure] = {}
_sections: dict[str, Section] = {}
_ratios: dict[str, Ratio] = {}


def register(figure: Figure) -> Figure:
    """Add a figure (call from AppConfig.ready()). Registering the same key twice is an error."""
    if figure.kind not in (FLOW, LEVEL, DURATION):
        raise ValueError(f"Unknown figure kind {figure.kind!r}.")
    existing = _figures.get(figure.key)
    if existing is not None and existing.compute is not figure.compute:
        raise ValueError(f"An insight figure {figure.key!r} is already registered.")
    _figures[figure.key] = figure
    return figure


def register_ratio(ratio: Ratio) -> Ratio:
    """Add a derived figure; its parts may be registered later (checked when it is read)."""
    if ratio.key in _figures or (ratio.key in _ratios and _ratios[ratio.key] != ratio):
        raise ValueError(f"An insight figure {ratio.key!r} is already registered.")
    _ratios[ratio.key] = ratio
    return ratio


def get_ratio(key: str) -> Ratio | None:
    ratio = _ratios.get(key)
    if ratio is None or not all(k in _figures for k in ratio.numerator + ratio.denominator):
        return None
    return ratio


def ratios() -> list[Ratio]:
    found = [get_ratio(k) for k in _ratios]
    return sorted((r for r in found if r), key=lambda r: (section_order(r.section), r.order, r.key))


def register_sources(part: str, *models) -> None:
    """The models the figures whose key starts with `part` + "." are computed from: saving or deleting one
    of them makes today's live figures of the part be computed again (call from AppConfig.ready(); list every
    model a figure reads, or none: a part without sources is computed at every request)."""
    from . import live

    live.watch(part, *models)


def register_section(section: Section) -> Section:
    _sections.setdefault(section.key, section)
    return _sections[section.key]


def get(key: str) -> Figure | None:
    return _figures.get(key)


def figures() -> list[Figure]:
    return sorted(_figures.values(), key=lambda f: (section_order(f.section), f.order, f.key))


def sections() -> list[Section]:
    used = {f.section for f in _figures.values()} | {r.section for r in ratios()}
    return sorted((s for s in _sections.values() if s.key in used), key=lambda s: (s.order, s.key))


def section_order(key: str) -> int:
    section = _sections.get(key)
    return section.order if section else 1000
