"""The nightly roll-up (cron or the task worker enqueues it after midnight: see docs/insights.md)."""

from datetime import timedelta

from django_tasks import task

from . import rollup


@task()
def rollup_yesterday() -> int:
    """Roll up yesterday (again, if it was: a late city update for yesterday is then counted)."""
    written = rollup.rollup_day(rollup.today() - timedelta(days=1))
    rollup.refresh_statistics()
    return written
