from django.core.management.base import BaseCommand
from tqdm import tqdm

from portal.search import maintenance
from portal.search.backends import get_engine
from portal.search.models import SearchDocument


class Command(BaseCommand):
    help = (
        "Rebuild the search index: re-read every item from its source, then index every row again. "
        "With Elasticsearch, a new index is filled behind the alias and swapped in when complete."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-documents",
            action="store_true",
            help="index the stored rows as they are, without re-reading the sources first",
        )

    def handle(self, *args, keep_documents, **options):
        quiet = options["verbosity"] < 1
        engine = get_engine()
        regenerated = None
        if not keep_documents:
            with tqdm(total=maintenance.count(), desc="reading sources", unit="item", disable=quiet) as bar:
                regenerated = maintenance.repair(progress=bar.update, to_engine=False)
            self.stdout.write(
                f"Read {regenerated.items} items ({regenerated.per_second:.0f}/s), "
                f"removed {regenerated.removed} stale ones."
            )
        with tqdm(
            total=SearchDocument.objects.count(), desc=f"indexing ({engine.name})", unit="item", disable=quiet
        ) as bar:
            _none, indexed, name = maintenance.rebuild(regenerate=False, progress=bar.update)
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {indexed.items} items into {name} in {indexed.seconds:.1f} s "
                f"({indexed.per_second:.0f} items/s)."
            )
        )
