from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from portal.search import maintenance, places, registry


class Command(BaseCommand):
    help = "Re-index items from their sources: every kind, or some kinds, in every community or some."

    def add_arguments(self, parser):
        parser.add_argument("--kind", action="append", default=[], help="a kind (repeatable): " + self._kinds())
        parser.add_argument("--community", action="append", default=[], help="a community's slug (repeatable)")

    def _kinds(self):
        return ", ".join(sorted(i.kind for i in registry.indexers()))

    def handle(self, *args, kind, community, **options):
        unknown = [k for k in kind if registry.get(k) is None]
        if unknown:
            raise CommandError(f"Unknown kind {', '.join(unknown)}. Kinds: {self._kinds()}.")
        community_ids = []
        for slug in community:
            place = places.by_slug(slug)
            if place is None:
                raise CommandError(f"No community with the slug {slug!r}.")
            community_ids.append(place.community_id)
        total = maintenance.count(kind or None, community_ids or None)
        with tqdm(total=total, desc="re-indexing", unit="item", disable=options["verbosity"] < 1) as bar:
            stats = maintenance.repair(kind or None, community_ids or None, progress=bar.update)
        self.stdout.write(
            f"Re-indexed {stats.items} items ({stats.per_second:.0f}/s), removed {stats.removed} stale ones."
        )
