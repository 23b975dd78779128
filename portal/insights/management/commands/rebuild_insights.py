"""Rebuild the daily roll-ups of a date range: manage.py rebuild_insights --start 2026-01-01 --end 2026-01-31"""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from portal.insights import rollup


def parse_day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CommandError(f"--{name} must be a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = "Rebuild the decision-support roll-ups of a date range (default: yesterday)."

    def add_arguments(self, parser):
        parser.add_argument("--start", help="first day, YYYY-MM-DD (default: yesterday)")
        parser.add_argument("--end", help="last day, YYYY-MM-DD (default: yesterday; must be before today)")

    def handle(self, *args, start=None, end=None, **options):
        yesterday = rollup.today() - timedelta(days=1)
        first = parse_day(start, "start") if start else yesterday
        last = parse_day(end, "end") if end else (first if start else yesterday)
        if last < first:
            raise CommandError(f"--end ({last}) is before --start ({first}).")
        if last > yesterday:
            raise CommandError(f"--end ({last}) must be a finished day (yesterday, {yesterday}, at the latest).")
        written = rollup.rebuild(first, last)
        self.stdout.write(f"Rolled up {len(written)} day(s), {sum(written.values())} row(s): {first} to {last}.")
