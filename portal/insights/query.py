"""Reading figures: roll-ups for finished days, live computation for today (and any day not rolled up).

Every read is scoped by the one scoping function (`portal.accounts.scoping.staff_communities`, which names
`communities.regions.scoping.communities_for`); the region tree comes from `portal.search.places`
(supplied by `communities`), so `portal` imports nothing from above.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.scoping import staff_communities
from portal.search import places

from . import live as live_module
from . import registry, rollup
from .models import DailyFigure, RolledUpDay

LEVELS = ("community", "street", "district")
STATISTICS = ("value", "median", "p90", "count")


_snapshot: ContextVar[dict | None] = ContextVar("insights_snapshot", default=None)


@contextmanager
def snapshot():
    """Within it, every live computation ends at the same moment and runs once (a dashboard's tables then
    agree with each other, and today's figures are computed once, not once per table)."""
    token = _snapshot.set({"now": timezone.now(), "computed": {}})
    try:
        yield
    finally:
        _snapshot.reset(token)


def _now():
    taken = _snapshot.get()
    return taken["now"] if taken else timezone.now()


def _stored_versions(days: list[date]) -> dict[date, object]:
    """{day: when it was rolled up} for the days among `days` that are rolled up (asked once per snapshot for
    the same days)."""
    taken = _snapshot.get()
    key = ("stored", days[0], days[-1], len(days))
    if taken is not None and key in taken["computed"]:
        return taken["computed"][key]
    rows = RolledUpDay.objects.filter(day__range=(min(days), max(days))).values_list("day", "rolled_up_at")
    wanted = set(days)
    found = {day: at for day, at in rows if day in wanted}
    if taken is not None:
        taken["computed"][key] = found
    return found


def stored_days(days: list[date]) -> set[date]:
    """The days among `days` that are rolled up."""
    return set(_stored_versions(days))


SUMS_TTL = 6 * 3600  # seconds the sums of rolled-up days are kept (the key changes when a day is rolled up again)


def _kept_sums(what: str, figures, community_ids, days, dimension_of, compute):
    """compute() (sums of rolled-up days, which only the roll-up writes) kept across requests. The key names
    the period, the figures, their dimensions, the communities and each stored day with the moment it was
    rolled up: rolling a day up again (the nightly task, `rebuild_insights`) moves `RolledUpDay.rolled_up_at`,
    so nothing stale is read. A dashboard seen again, or after a new complaint (only today's figures are
    computed again), then reads no roll-up rows."""
    versions = _stored_versions(days)
    described = (
        what,
        (days[0].isoformat(), days[-1].isoformat()),  # a level is read on the period's last day
        sorted((f.key, dimension_of(f)) for f in figures),
        sorted(community_ids),
        sorted((day.isoformat(), at.isoformat()) for day, at in versions.items()),
    )
    digest = hashlib.sha256(repr(described).encode()).hexdigest()
    return cache.get_or_set(f"insights:sums:{digest}", compute, SUMS_TTL)


def shared(key, compute):
    """compute() once per snapshot for `key`, for figures of a part that read the same rows (the open complaints
    for "open" and "overdue"; the organisations' disclosures for on time, late and missing). Outside a snapshot
    (the nightly roll-up) it is computed at every call."""
    taken = _snapshot.get()
    if taken is None:
        return compute()
    key = ("shared", key)
    if key not in taken["computed"]:
        taken["computed"][key] = compute()
    return taken["computed"][key]


def live(figure: registry.Figure, start, end) -> dict:
    """rollup.compute, once per snapshot, and kept across requests until the figure's part changes
    (portal.insights.live)."""

    def compute():
        # A run reaching into today ends now: it is kept as "up to now" (for live.LIVE_TTL at most).
        up_to_now = end > rollup.day_bounds(rollup.today())[0]
        return live_module.cached(figure.key, start, end, up_to_now, lambda: rollup.compute(figure, start, end))

    taken = _snapshot.get()
    if taken is None:
        return compute()
    key = (figure.key, start, end)
    if key not in taken["computed"]:
        taken["computed"][key] = compute()
    return taken["computed"][key]


class InsightsError(ValueError):
    """Bad input to a figure query: the message is shown to the user (a form error or a 400)."""


def scoped_community_ids(user) -> set[int]:
    return set(staff_communities(user).values_list("pk", flat=True))


def region_of(place, level: str):
    return {"community": place.community_id, "street": place.street_id, "district": place.district_id}[level]


def communities_in(user, region: tuple[str, int] | None = None) -> set[int]:
    """The communities `user` may act for, within `region` ((level, id)) if given.

    A region outside the tree or wholly outside the user's scope is an InsightsError."""
    ids = scoped_community_ids(user)
    if region is None:
        return ids
    level, region_id = region
    if level not in LEVELS:
        raise InsightsError(_("Unknown kind of area: %(level)s.") % {"level": level})
    everywhere = places.all_places()
    inside = {pk for pk, p in everywhere.items() if region_of(p, level) == region_id}
    if not inside:
        raise InsightsError(_("There is no such area."))
    if not inside & ids:
        raise InsightsError(_("That area is outside the communities you may act for."))
    return inside & ids


def check_period(start: date, end: date) -> None:
    if start.year < 2000 or end.year > 2100:
        raise InsightsError(_("Choose dates between the years 2000 and 2100."))
    if end < start:
        raise InsightsError(_("The end date is before the start date."))
    if (end - start).days > 3660:
        raise InsightsError(_("Choose a period of at most ten years."))


def _add(total: dict, community_id: int, bucket: int, value: int, kind: str) -> None:
    if kind == registry.DURATION:
        histogram = total.setdefault(community_id, {})  # a plain dict: cached and unpickled cheaply
        histogram[bucket] = histogram.get(bucket, 0) + value
    else:
        total[community_id] = total.get(community_id, 0) + value


def _days(start: date, end: date) -> list[date]:
    """The days start..end that have begun (none in the future)."""
    check_period(start, end)
    end = min(end, rollup.today())
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _scoped(rows, community_ids: set[int]):
    """DailyFigure rows of the given communities. The whole city (the city's staff, with no area chosen) is
    read without a list of every community's id: a roll-up row is always of a community of the city."""
    everywhere = places.all_places()
    if everywhere and len(community_ids) >= len(everywhere) and community_ids.issuperset(everywhere):
        return rows
    return rows.filter(community_id__in=community_ids)


def _stored_rows(figures, community_ids, days: list[date], stored: set[date], dimension_of, every_day: bool):
    """The DailyFigure rows of `figures` (one query, whatever the number of figures): FLOW figures on the stored
    days, LEVEL figures on the last day only (on every stored day when `every_day`), each cut to its dimension
    (`dimension_of(figure)`, None for all). None when nothing is stored for them."""
    wanted = Q()
    groups: dict = {}
    for figure in figures:
        last_only = figure.kind == registry.LEVEL and not every_day
        groups.setdefault((last_only, dimension_of(figure)), []).append(figure.key)
    for (last_only, dimension), keys in groups.items():
        on = ([days[-1]] if days[-1] in stored else []) if last_only else sorted(stored)
        if not on:
            continue
        condition = Q(figure__in=keys) & (Q(day=on[0]) if len(on) == 1 else Q(day__in=on))
        if dimension is not None:
            condition &= Q(dimension=dimension)
        wanted |= condition
    if not wanted:
        return None
    return _scoped(DailyFigure.objects.filter(wanted), community_ids)


def _live_rows(figure, community_ids, days, stored, dimension, every_day: bool):
    """(community_id, dimension, bucket, value, day) of `figure` over the days not rolled up: one live
    computation per run of consecutive days (per day when `every_day`; `day` is then the day, else None)."""
    if figure.kind == registry.LEVEL and not every_day:
        days = days[-1:]
    if every_day:
        now = _now()
        runs = [
            (day, rollup.day_bounds(day)[0], min(rollup.day_bounds(day)[1], now)) for day in days if day not in stored
        ]
    else:
        runs = [(None, run_start, run_end) for run_start, run_end in live_runs(days, stored)]
    for day, run_start, run_end in runs:
        for (community_id, dim, bucket), value in live(figure, run_start, run_end).items():
            if community_id in community_ids and (dimension is None or dim == dimension):
                yield community_id, dim, bucket, value, day


def _no_dimension(figure):
    return None


def values_many(figures, community_ids: set[int], start: date, end: date, dimension_of=_no_dimension) -> dict:
    """{figure key: {community_id: value}} of every figure over the days start..end (inclusive), for the given
    communities: the rolled-up days of all of them in ONE query, the other days (today, a gap) computed live.

    FLOW: the sum over the days; LEVEL: the level at the end of the last day (or now, for today);
    DURATION: a histogram {bucket: count} (a dict). `dimension_of(figure)` cuts a figure to one dimension
    (None: all)."""
    days = _days(start, end)
    if not days or not community_ids or not figures:
        return {figure.key: {} for figure in figures}
    stored = stored_days(days)
    kinds = {figure.key: figure.kind for figure in figures}

    def summed_stored():
        summed = {figure.key: {} for figure in figures}
        rows = _stored_rows(figures, community_ids, days, stored, dimension_of, every_day=False)
        if rows is not None:
            grouped = rows.values_list("figure", "community_id", "bucket").annotate(total=Sum("value")).order_by()
            for key, community_id, bucket, value in grouped:
                _add(summed[key], community_id, bucket, value, kinds[key])
        return summed

    result = _kept_sums("values", figures, community_ids, days, dimension_of, summed_stored)
    for figure in figures:
        for community_id, _dim, bucket, value, _day in _live_rows(
            figure, community_ids, days, stored, dimension_of(figure), every_day=False
        ):
            _add(result[figure.key], community_id, bucket, value, figure.kind)
    return result


def _totals_by(column: str, figures, community_ids, start, end, dimension_of) -> dict:
    """{figure key: {value of `column` ("dimension" or "day"): value summed over the communities}}: the
    rolled-up days of all the figures in one query (kept across requests), the other days computed live, per
    day when grouping by day."""
    days = _days(start, end)
    if not days or not community_ids or not figures:
        return {figure.key: {} for figure in figures}
    stored = stored_days(days)
    every_day = column == "day"

    def summed_stored():
        summed = {figure.key: {} for figure in figures}
        rows = _stored_rows(figures, community_ids, days, stored, dimension_of, every_day=every_day)
        if rows is not None:
            for key, group, value in rows.values_list("figure", column).annotate(total=Sum("value")).order_by():
                summed[key][group] = summed[key].get(group, 0) + value
        return summed

    result = _kept_sums(f"by {column}", figures, community_ids, days, dimension_of, summed_stored)
    for figure in figures:
        for _community_id, dim, _bucket, value, day in _live_rows(
            figure, community_ids, days, stored, dimension_of(figure), every_day=every_day
        ):
            group = day if every_day else dim
            result[figure.key][group] = result[figure.key].get(group, 0) + value
    return result


def dimensions_many(figures, community_ids: set[int], start: date, end: date) -> dict:
    """{figure key: {dimension: value summed over the communities}} (FLOW and LEVEL figures): the figures by
    category, the rolled-up days of all of them in one query."""
    return _totals_by("dimension", figures, community_ids, start, end, _no_dimension)


def daily_many(figures, community_ids: set[int], start: date, end: date, dimension_of=_no_dimension) -> dict:
    """{figure key: {day: value summed over the communities}} for FLOW and LEVEL figures, every day of the
    period: the rolled-up days of all of them in one query, each other day (today, a gap) computed live."""
    return _totals_by("day", figures, community_ids, start, end, dimension_of)


def period_values(figure: registry.Figure, community_ids: set[int], start: date, end: date, dimension=None) -> dict:
    """{community_id: value} of one figure (values_many)."""
    return values_many([figure], community_ids, start, end, lambda _figure: dimension)[figure.key]


def city_total(figure_key: str, start: date, end: date) -> int | None:
    """A FLOW or LEVEL figure summed over every community of the city, for public city-wide numbers (a count,
    nothing about anyone: no scoping). None when no part registered the figure.

    A bounded number of queries whatever the number of communities: the rolled-up days in one sum, each run
    of days not rolled up (today) in one computation."""
    figure = registry.get(figure_key)
    if figure is None or figure.kind == registry.DURATION:
        return None
    days = _days_of(figure, start, end)
    if not days:
        return 0
    stored = set(RolledUpDay.objects.filter(day__in=days).values_list("day", flat=True))
    total = 0
    if stored:
        rows = DailyFigure.objects.filter(figure=figure.key, day__in=stored)
        total = rows.aggregate(total=Sum("value"))["total"] or 0
    for run_start, run_end in live_runs(days, stored):
        total += sum(live(figure, run_start, run_end).values())
    return total


def _days_of(figure: registry.Figure, start: date, end: date) -> list[date]:
    """The days a figure reads for the period (none in the future; a LEVEL figure only its last day)."""
    check_period(start, end)
    end = min(end, rollup.today())
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return days[-1:] if figure.kind == registry.LEVEL else days


def live_runs(days: list[date], stored: set[date]) -> list[tuple]:
    """[(start, end)] of each run of consecutive days not rolled up (ending now at the latest)."""
    runs, run = [], []
    for day in days:
        if day in stored:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(day)
    if run:
        runs.append(run)
    now = _now()
    return [(rollup.day_bounds(r[0])[0], min(rollup.day_bounds(r[-1])[1], now)) for r in runs]


def dimension_values(figure: registry.Figure, community_ids: set[int], start: date, end: date) -> dict:
    """{dimension: value} over the communities of one figure (dimensions_many)."""
    return dimensions_many([figure], community_ids, start, end)[figure.key]


def daily_totals(figure: registry.Figure, community_ids: set[int], start: date, end: date, dimension=None) -> dict:
    """{day: value summed over the communities} of one figure (daily_many)."""
    return daily_many([figure], community_ids, start, end, lambda _figure: dimension)[figure.key]


def percentile(histogram: dict, q: float) -> int | None:
    """The bucket bound (hours) below which a share `q` of the durations fall; None without data."""
    count = sum(histogram.values())
    if not count:
        return None
    needed = q * count
    seen = 0
    for bound in sorted(histogram):
        seen += histogram[bound]
        if seen >= needed:
            return bound
    return max(histogram)


def statistic_of(value, kind: str, statistic: str):
    if kind != registry.DURATION:
        return value
    histogram = value or Counter()
    if statistic == "p90":
        return percentile(histogram, 0.9)
    if statistic == "count":
        return sum(histogram.values())
    return percentile(histogram, 0.5)


def group_by(values: dict, level: str, kind: str) -> dict:
    """Community values summed (histograms merged) into their street or district."""
    if level == "community":
        return dict(values)
    everywhere = places.all_places()
    grouped: dict = {}
    for community_id, value in values.items():
        place = everywhere.get(community_id)
        key = region_of(place, level) if place else None
        if key is None:
            continue
        if kind == registry.DURATION:
            grouped.setdefault(key, Counter()).update(value)
        else:
            grouped[key] = grouped.get(key, 0) + value
    return grouped


def ratio_value(numerator, denominator, scale: int):
    if not denominator:
        return None
    return round(scale * (numerator or 0) / denominator, 1)


def ratio_by_key(ratio: registry.Ratio, values_of, level: str) -> dict:
    """{area: ratio} from `values_of(figure_key)` ({community_id: value}) grouped to `level`."""
    parts = {}
    for key in set(ratio.numerator + ratio.denominator):
        figure = registry.get(key)
        parts[key] = group_by(values_of(key), level, figure.kind)
    areas = {area for values in parts.values() for area in values}
    return {
        area: ratio_value(
            sum(parts[k].get(area, 0) for k in ratio.numerator),
            sum(parts[k].get(area, 0) for k in ratio.denominator),
            ratio.scale,
        )
        for area in areas
    }


def get_figure(figure_key: str):
    figure = registry.get(figure_key) or registry.get_ratio(figure_key)
    if figure is None:
        raise InsightsError(_("There is no figure called %(key)s.") % {"key": figure_key})
    return figure


def figures_by_region(
    user,
    figure_key: str,
    start: date,
    end: date,
    *,
    level: str = "community",
    region: tuple[str, int] | None = None,
    dimension: str | None = None,
    statistic: str = "median",
) -> dict[int, float | int | None]:
    """One figure for every community (or street, or district) `user` may act for: {id: value}.

    STABLE API (the map and other callers rely on it):
    * `figure_key`: a registered figure ("complaints.new", "complaints.open", ...: `registry.figures()`) or
      a ratio ("complaints.per_1000", "deliberations.turnout", "complaints.overdue_share": `registry.ratios()`;
      the value is the ratio of the area's sums, None where the denominator is 0).
    * `start`, `end`: dates, both included (local days); today is computed live.
    * `level`: "community" (keys are community ids), "street" or "district" (keys are region ids).
    * `region`: optionally ("street", id) / ("district", id) / ("community", id): only communities inside it.
    * `dimension`: optionally one value of the figure's dimension (a complaint category's service code).
    * `statistic` (DURATION figures only): "median" or "p90" (hours, as a histogram bucket's upper bound)
      or "count"; other figures give their value (FLOW: the period's total; LEVEL: at the period's end).
    Only communities in the user's scope count (the one scoping function); a region with none of them in
    it counts nothing. Communities with no data are left out (read a missing key as 0).
    Bad input (unknown figure, level or region, a region outside the scope, dates out of order) raises
    `InsightsError` with a message for the user; never anything else.
    """
    figure = get_figure(figure_key)
    if level not in LEVELS:
        raise InsightsError(_("Unknown kind of area: %(level)s.") % {"level": level})
    if statistic not in STATISTICS:
        raise InsightsError(_("Unknown statistic: %(statistic)s.") % {"statistic": statistic})
    check_period(start, end)
    community_ids = communities_in(user, region)
    if isinstance(figure, registry.Ratio):

        def values_of(key):
            part = registry.get(key)
            dim = dimension if part.filtered_by_category else None
            return period_values(part, community_ids, start, end, dimension=dim)

        return ratio_by_key(figure, values_of, level)
    values = period_values(figure, community_ids, start, end, dimension=dimension)
    grouped = group_by(values, level, figure.kind)
    return {key: statistic_of(value, figure.kind, statistic) for key, value in grouped.items()}
