"""The dashboard: tables (each with a text summary and its chart's data) for the filtered, scoped figures.

One builder for every level: the city, a district, a street and a community see the same tables, cut to
the communities they may act for (`query.communities_in`, on the one scoping function) and to the area
chosen in the filter. The rows of the "by area" tables are the next level down (district → street →
community), each linking to the dashboard of that area; a community links to the list of items.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from portal.search import places

from . import query, registry, rollup

TREND_MAX_DAYS = 366  # the week-by-week table covers a year at most (days not rolled up are computed one by one)
CHILD_LEVEL = {None: "district", "district": "street", "street": "community", "community": None}


@dataclass
class Table:
    key: str
    title: str
    summary: str
    columns: list
    rows: list  # lists of cells (str, int, float or None)
    links: list = field(default_factory=list)  # per row: a link (relative to the dashboard) for the drill-down, or ""
    chart: dict = field(default_factory=dict)  # {"type": "bar"|"line", "labels": [...], "series": [...]}
    # A row at the foot of the table (the "by area" tables' average), cells as in `columns`; [] for none.
    footer: list = field(default_factory=list)

    @property
    def chart_json(self) -> str:
        return json.dumps(self.chart, ensure_ascii=False)

    def rows_with_links(self):
        return list(zip(self.rows, self.links or [""] * len(self.rows), strict=False))


def share(part, whole):
    if not whole:
        return None
    return round(100.0 * (part or 0) / whole, 1)


def area_name(level: str | None, region_id) -> str:
    if level is None:
        return _("All my communities")
    return places.region_names().get((level, region_id), str(region_id))


def breakdown_level(community_ids: set[int], area: tuple | None) -> str | None:
    """The next level down from the chosen area; with no area, the highest level that splits the scope."""
    if area is not None:
        return CHILD_LEVEL[area[0]]
    everywhere = places.all_places()
    mine = [everywhere[c] for c in community_ids if c in everywhere]
    if len({p.district_id for p in mine}) > 1:
        return "district"
    if len({p.street_id for p in mine}) > 1:
        return "street"
    return "community"


@dataclass
class Filters:
    start: date
    end: date
    area: tuple | None = None  # (level, id)
    category: str | None = None  # a dimension value of the complaints' figures

    def querystring(self, **changes) -> str:
        values = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        area = changes.get("area", self.area)
        if area:
            values["area"] = f"{area[0]}:{area[1]}"
        if self.category:
            values["category"] = self.category
        return urlencode(values)


def value_cells(figure, value):
    """The cells of one figure's value: one for counts, median and 90th percentile for durations."""
    if figure.kind == registry.DURATION:
        return [query.statistic_of(value, figure.kind, "median"), query.statistic_of(value, figure.kind, "p90")]
    return [value or 0]


def figure_columns(figure) -> list[str]:
    if figure.kind == registry.DURATION:
        return [
            _("%(figure)s: median (hours, at most)") % {"figure": figure.label},
            _("%(figure)s: 90th percentile (hours, at most)") % {"figure": figure.label},
        ]
    return [str(figure.label)]


def _total(values: dict, kind: str):
    if kind == registry.DURATION:
        merged = Counter()
        for histogram in values.values():
            merged.update(histogram)
        return merged
    return sum(values.values())


def street_average_ids(community_ids: set[int]) -> set[int]:
    """Every community of the streets of `community_ids` (for a street average: only the average is shown)."""
    everywhere = places.all_places()
    streets = {everywhere[c].street_id for c in community_ids if c in everywhere}
    return {c for c, p in everywhere.items() if p.street_id in streets}


def year_earlier(day: date) -> date:
    """The same day a year earlier (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def change_percent(now, before):
    """The change from `before` to `now` in per cent; None where there is nothing to compare with."""
    if now is None or not before:
        return None
    return round(100.0 * (now - before) / before, 1)


def series_chart(kind: str, rows: list, columns: list, **extra) -> dict:
    """A chart of a table: the first column labels the rows, every other column is one series."""
    return {
        "type": kind,
        "labels": [row[0] for row in rows],
        "series": [{"name": columns[i], "data": [row[i] for row in rows]} for i in range(1, len(columns))],
        **extra,
    }


def peak_summary(message: str, rows: list, figure, name: str) -> str:
    """A table's text summary: how many rows, and the row with the most of the first figure (its label in
    the message's `name` placeholder)."""
    top = max(rows, key=lambda r: r[1] or 0) if rows else None
    return message % {"count": len(rows), "figure": figure, name: top[0] if top else "—", "value": top[1] if top else 0}


def _has_data(value) -> bool:
    return bool(sum(value.values()) if isinstance(value, dict) else value)


def build(user, filters: Filters) -> list[Table]:
    """The dashboard's tables for `user` (raises query.InsightsError on bad input), as of one moment."""
    with query.snapshot():
        return _build(user, filters)


def _build(user, filters: Filters) -> list[Table]:
    query.check_period(filters.start, filters.end)
    community_ids = query.communities_in(user, filters.area)
    level = breakdown_level(community_ids, filters.area)
    single = len(community_ids) == 1
    # A single community is compared with its street's average. The average is over every community of the
    # street, in scope or not: only the average is shown, never another community's own figures.
    comparison_ids = street_average_ids(community_ids) if single else set()
    this_year = (filters.start, filters.end)
    last_year = (year_earlier(filters.start), year_earlier(filters.end))
    tables: list[Table] = []
    batches: dict = {}

    def dimension_of(figure):
        return filters.category if figure.filtered_by_category and filters.category else None

    def values_of(key, ids=None, period=this_year):
        """{community_id: value} of a figure; the roll-ups of its whole section read at once (one query for
        the section, the communities and the period)."""
        ids = community_ids if ids is None else ids
        section = registry.get(key).section
        batch_key = (section, tuple(sorted(ids)), period)
        if batch_key not in batches:
            figures = [f for f in registry.figures() if f.section == section]
            batches[batch_key] = query.values_many(figures, ids, *period, dimension_of)
        return batches[batch_key][key]

    def ratio_total(ratio, ids=None, period=this_year):
        numerator = sum(sum(values_of(k, ids, period).values()) for k in ratio.numerator)
        denominator = sum(sum(values_of(k, ids, period).values()) for k in ratio.denominator)
        return query.ratio_value(numerator, denominator, ratio.scale)

    for section in registry.sections():
        figures = [f for f in registry.figures() if f.section == section.key]
        ratios = [r for r in registry.ratios() if r.section == section.key]
        tables.append(
            _summary(section, figures, ratios, filters, single, comparison_ids, values_of, ratio_total, last_year)
        )
        if level and not single:
            tables.append(_by_area(section, figures, ratios, filters, level, community_ids, values_of))
        trending = [f for f in figures if f.trend and f.kind != registry.DURATION]
        if trending and (filters.end - filters.start).days <= TREND_MAX_DAYS:
            tables.append(_by_week(section, trending, filters, community_ids, dimension_of))
        if not filters.category:
            tables += _by_dimension(section, figures, filters, community_ids)
    return tables


def _summary(section, figures, ratios, filters, single, comparison_ids, values_of, ratio_total, last_year) -> Table:
    """Each figure's total (for a single community, the street's average beside it; for a section that
    compares years, the same period a year earlier and the change, where that year has any data)."""
    columns = [_("Figure"), _("Value")]
    if single:
        columns.append(_("Average of the street's communities"))
    rows, links, earlier = [], [], []
    for figure in figures:
        cells = value_cells(figure, _total(values_of(figure.key), figure.kind))
        average_cells = [None] * len(cells)
        if single and comparison_ids:
            street_total = _total(values_of(figure.key, comparison_ids), figure.kind)
            if figure.kind == registry.DURATION:
                average_cells = value_cells(figure, street_total)
            else:
                average_cells = [round(street_total / len(comparison_ids), 1)]
        if section.year_on_year:
            before = _total(values_of(figure.key, period=last_year), figure.kind)
            earlier.append((_has_data(before), value_cells(figure, before)))
        items = f"items/?{filters.querystring()}&{urlencode({'figure': figure.key})}" if figure.items else ""
        for label, cell, average in zip(figure_columns(figure), cells, average_cells, strict=True):
            rows.append([label, cell, average] if single else [label, cell])
            links.append(items)
    for ratio in ratios:
        row = [str(ratio.label), ratio_total(ratio)]
        if single:
            row.append(ratio_total(ratio, comparison_ids) if comparison_ids else None)
        rows.append(row)
        links.append("")
        if section.year_on_year:
            before = ratio_total(ratio, period=last_year)
            earlier.append((False, [before]))  # a ratio's denominator (the population) says nothing of history
    charted = len(columns)
    if section.year_on_year:
        columns += [_("Same period a year earlier"), _("Change from a year earlier (%)")]
        history = any(found for found, _cells in earlier)  # "where data exists": the section has some then
        before_cells = [cell if history else None for _found, cells in earlier for cell in cells]
        for row, before in zip(rows, before_cells, strict=True):
            row += [before, change_percent(row[1], before)]
        charted += 1
    area = area_name(*(filters.area or (None, None)))
    summary = _("%(section)s in %(area)s from %(start)s to %(end)s: %(parts)s.") % {
        "section": section.label,
        "area": area,
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
        "parts": "; ".join(f"{row[0]} {'—' if row[1] is None else row[1]}" for row in rows),
    }
    if section.year_on_year:
        summary += " " + (
            _("A year earlier (%(start)s to %(end)s): %(parts)s.")
            % {
                "start": year_earlier(filters.start).isoformat(),
                "end": year_earlier(filters.end).isoformat(),
                "parts": "; ".join(f"{row[0]} {row[-2]}" for row in rows if row[-2] is not None),
            }
            if any(row[-2] is not None for row in rows)
            else _("There are no figures for the same period a year earlier.")
        )
    return Table(
        key=f"{section.key}-summary",
        title=_("%(section)s: summary") % {"section": section.label},
        summary=summary,
        columns=columns,
        rows=rows,
        links=links,
        chart=series_chart("bar", [row[:charted] for row in rows], columns[:charted]),
    )


def rank_order(rows: list, value_at: int) -> tuple[list, list]:
    """`rows` sorted by the cell at `value_at`, highest first (no value last; ties by the first cell, the name),
    and each row's rank: equal values share a rank and the next rank skips (1, 2, 2, 4)."""

    def value(row):
        return row[value_at] if row[value_at] is not None else float("-inf")

    ordered = sorted(rows, key=lambda row: (-value(row), str(row[0])))
    ranks: list[int] = []
    for position, row in enumerate(ordered):
        tied = position > 0 and value(row) == value(ordered[position - 1])
        ranks.append(ranks[-1] if tied else position + 1)
    return ordered, ranks


def _by_area(section, figures, ratios, filters, level, community_ids, values_of) -> Table:
    """The next level down, one row each, linking to its own dashboard: ranked by the first figure (highest
    first, ties by name), with the average of the areas shown at the foot. The average of a count is its mean
    over the areas; of a duration, the statistic of all the areas' durations together; of a ratio, the ratio
    of the areas' sums (as the street's average beside a single community)."""
    everywhere = places.all_places()
    grouped = {f.key: query.group_by(values_of(f.key), level, f.kind) for f in figures}
    by_ratio = {r.key: query.ratio_by_key(r, values_of, level) for r in ratios}
    keys = {query.region_of(everywhere[c], level) for c in community_ids if c in everywhere} - {None}
    names = {key: area_name(level, key) for key in keys}
    value_columns = [c for f in figures for c in figure_columns(f)] + [str(r.label) for r in ratios]
    columns = [_("Area"), _("Rank")] + value_columns
    unranked = []
    for key in keys:
        cells = [names[key]]
        for figure in figures:
            cells += value_cells(figure, grouped[figure.key].get(key))
        cells += [by_ratio[r.key].get(key) for r in ratios]
        unranked.append([*cells, key])  # the area's id last, taken off once ranked
    ranked, ranks = rank_order(unranked, 1)
    ordered = [cells[-1] for cells in ranked]
    rows = [[cells[0], rank, *cells[1:-1]] for cells, rank in zip(ranked, ranks, strict=True)]
    links = ["?" + filters.querystring(area=(level, key)) for key in ordered]
    footer = _area_average(figures, ratios, level, keys, grouped, values_of) if keys else []
    plain = [[row[0], *row[2:]] for row in rows]  # without the rank: the chart and the summary
    summary = peak_summary(
        _("%(count)s areas. Most %(figure)s: %(area)s (%(value)s)."), plain, value_columns[0], "area"
    )
    if footer:
        summary += " " + _("Average of the areas: %(value)s.") % {"value": "—" if footer[2] is None else footer[2]}
    return Table(
        key=f"{section.key}-by-area",
        title=_("%(section)s by area") % {"section": section.label},
        summary=summary,
        columns=columns,
        rows=rows,
        links=links,
        footer=footer,
        chart=series_chart("bar", plain, [columns[0], *value_columns], level=level, regions=ordered),
    )


def _area_average(figures, ratios, level, keys, grouped, values_of) -> list:
    """The "by area" table's foot: the average over the areas `keys` (see _by_area), no rank."""
    footer = [_("Average"), ""]
    for figure in figures:
        empty = {} if figure.kind == registry.DURATION else 0
        total = _total({key: grouped[figure.key].get(key) or empty for key in keys}, figure.kind)
        if figure.kind == registry.DURATION:
            footer += value_cells(figure, total)
        else:
            footer.append(round(total / len(keys), 1))
    parts: dict = {}
    for ratio in ratios:
        for key in ratio.numerator + ratio.denominator:
            if key not in parts:  # a part shown as a figure of its own is grouped already
                in_areas = grouped.get(key) or query.group_by(values_of(key), level, registry.get(key).kind)
                parts[key] = sum(in_areas.get(area, 0) for area in keys)
        numerator = sum(parts[key] for key in ratio.numerator)
        denominator = sum(parts[key] for key in ratio.denominator)
        footer.append(query.ratio_value(numerator, denominator, ratio.scale))
    return footer


def _by_week(section, trending, filters, community_ids, dimension_of) -> Table:
    """Week by week: FLOW figures summed over the week, LEVEL figures at its last day."""
    daily = query.daily_many(trending, community_ids, filters.start, filters.end, dimension_of)
    last = min(filters.end, rollup.today())
    weeks = []
    week_start = filters.start
    while week_start <= last:
        week_end = min(week_start + timedelta(days=6 - week_start.weekday()), last)
        weeks.append((week_start, week_end))
        week_start = week_end + timedelta(days=1)
    columns = [_("Week")] + [str(f.label) for f in trending]
    rows = []
    for first, final in weeks:
        cells = [f"{first.isoformat()} – {final.isoformat()}"]
        for figure in trending:
            if figure.kind == registry.LEVEL:
                cells.append(daily[figure.key].get(final, 0))
            else:
                cells.append(sum(v for day, v in daily[figure.key].items() if first <= day <= final))
        rows.append(cells)
    summary = peak_summary(
        _("%(count)s weeks. Most %(figure)s in the week %(week)s (%(value)s)."), rows, trending[0].label, "week"
    )
    return Table(
        key=f"{section.key}-by-week",
        title=_("%(section)s week by week") % {"section": section.label},
        summary=summary,
        columns=columns,
        rows=rows,
        chart=series_chart("line", rows, columns),
    )


def _by_dimension(section, figures, filters, community_ids) -> list[Table]:
    """By dimension (a complaint category, an income category): counting figures only, one table for each
    kind of dimension (figures that share their names share a table)."""
    groups: dict = {}
    for figure in figures:
        if figure.dimension_label and figure.kind != registry.DURATION:
            groups.setdefault(figure.dimension_names, []).append(figure)
    tables = []
    for dimensional in groups.values():
        by_dimension = query.dimensions_many(dimensional, community_ids, filters.start, filters.end)
        names = dimensional[0].dimension_names() if dimensional[0].dimension_names else {}
        dims = sorted({d for values in by_dimension.values() for d in values}, key=lambda d: str(names.get(d, d)))
        columns = [str(dimensional[0].dimension_label)] + [str(f.label) for f in dimensional]
        rows = [
            [str(names.get(d, d or _("(none)")))] + [by_dimension[f.key].get(d, 0) for f in dimensional] for d in dims
        ]
        summary = peak_summary(
            _("%(count)s categories. Most %(figure)s: %(name)s (%(value)s)."), rows, dimensional[0].label, "name"
        )
        tables.append(
            Table(
                # One table: "<section>-by-category"; more: named by each one's first figure ("-by-income").
                key=f"{section.key}-by-" + (dimensional[0].key.rsplit(".", 1)[-1] if len(groups) > 1 else "category"),
                title=_("%(section)s by %(dimension)s")
                % {"section": section.label, "dimension": dimensional[0].dimension_label},
                summary=summary,
                columns=columns,
                rows=rows,
                chart=series_chart("bar", rows, columns),
            )
        )
    return tables
