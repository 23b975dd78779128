from django.core.management.base import BaseCommand, CommandError

from portal.core import vendor


class Command(BaseCommand):
    help = (
        "Unpack the pinned front-end libraries of themes/vendor.json (Leaflet, its cluster plugin, ECharts) from "
        "the npm registry into themes/static/vendor/, checking each tarball's sha512 integrity. Nothing is done "
        "for a package already there at its pinned version (works offline then). PORTAL_NPM_REGISTRY: a mirror."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="download and unpack again even if present")
        parser.add_argument("--check", action="store_true", help="only report missing packages (exit 1 if any)")

    def handle(self, *args, force, check, **options):
        if check:
            absent = vendor.missing()
            if absent:
                raise CommandError("missing: " + ", ".join(f"{p.name} {p.version}" for p in absent))
            self.stdout.write("vendored libraries present")
            return
        try:
            count = vendor.install(force=force, log=self.stdout.write)
        except vendor.VendorError as exc:
            raise CommandError(str(exc)) from exc
        for name in vendor.remove_stale():
            self.stdout.write(f"removed {name} (no longer in themes/vendor.json)")
        self.stdout.write(f"vendored {count} package(s); {len(vendor.packages()) - count} already present")
