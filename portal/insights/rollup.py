"""Daily roll-ups: every registered figure, for every community, one day at a time.

`rollup_day(day)` replaces the day's rows in one transaction (so a rebuild is idempotent and a half-done
day is never seen); `rebuild(start, end)` does a range; the task `rollup_yesterday` runs after midnight.
Days are the city's local days (settings.TIME_ZONE)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone

from . import registry
from .models import DailyFigure, RolledUpDay


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local day, as aware datetimes."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), tz)
    return start, end


def today() -> date:
    return timezone.localdate()


def compute(figure: registry.Figure, start: datetime, end: datetime) -> dict[tuple[int, str, int], int]:
    """{(community_id, dimension, bucket): value} of one figure over [start, end), zero values dropped."""
    values: dict[tuple[int, str, int], int] = {}
    for community_id, dimension, bucket, value in figure.compute(start, end):
        key = (community_id, dimension or "", bucket or 0)
        values[key] = values.get(key, 0) + int(value)
    return {key: value for key, value in values.items() if value}


def rollup_day(day: date) -> int:
    """Store every figure of `day` (a finished day: before today). Returns the number of rows written."""
    if day >= today():
        raise ValueError("Only finished days are rolled up; today's figures are computed live.")
    start, end = day_bounds(day)
    rows = [
        DailyFigure(day=day, community_id=c, figure=figure.key, dimension=d, bucket=b, value=v)
        for figure in registry.figures()
        for (c, d, b), v in compute(figure, start, end).items()
    ]
    with transaction.atomic():
        DailyFigure.objects.filter(day=day).delete()
        DailyFigure.objects.bulk_create(rows, batch_size=2000)
        RolledUpDay.objects.update_or_create(day=day)
    return len(rows)


def refresh_statistics() -> None:
    """Let PostgreSQL's planner see the rows just written. The dashboards sum tens of thousands of roll-up rows;
    planned from statistics taken before a rebuild (an empty table: "10 rows"), they were sorted on disk instead
    of hashed, 2.5 times slower. Autovacuum analyzes a table only after a tenth of it changed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {DailyFigure._meta.db_table}")


def rebuild(start: date, end: date) -> dict[date, int]:
    """Roll up every day from `start` to `end` inclusive (both finished days)."""
    if end < start:
        raise ValueError("The end date is before the start date.")
    if end >= today():
        raise ValueError("Only finished days are rolled up; the end date must be before today.")
    written = {}
    day = start
    while day <= end:
        written[day] = rollup_day(day)
        day += timedelta(days=1)
    refresh_statistics()
    return written
