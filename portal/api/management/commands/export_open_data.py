"""Write today's open data: one Frictionless Data Package city-wide and one per community."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.accounts.scoping import staff_communities
from portal.api import registry
from portal.api.opendata import write_package


class Command(BaseCommand):
    help = "Export the public records as CSV + JSON with a datapackage.json, city-wide and per community."

    def add_arguments(self, parser):
        parser.add_argument("--out", help="folder (default: settings.OPEN_DATA_ROOT)")
        parser.add_argument("--community", help="only this community's package (and no city-wide one)")

    def handle(self, *args, **options):
        tables = registry.exports()
        if not tables:
            raise CommandError("No open-data tables are registered.")
        day = timezone.localdate()
        root = Path(options["out"] or settings.OPEN_DATA_ROOT) / day.isoformat()
        communities = staff_communities(None).model.objects.order_by("slug")
        if options["community"]:
            communities = communities.filter(slug=options["community"])
            if not communities.exists():
                raise CommandError(f"No community with the slug '{options['community']}'.")
        else:
            write_package(
                root / "city", "city-public-records", "Public records of the city's communities", tables, None, day
            )
        count = 0
        for community in communities:
            single = communities.model.objects.filter(pk=community.pk)
            write_package(
                root / community.slug,
                f"{community.slug}-public-records",
                f"{community.name}: public records",
                tables,
                single,
                day,
            )
            count += 1
        self.stdout.write(self.style.SUCCESS(f"Wrote the city-wide package and {count} community package(s) to {root}"))
