from communities.regions.models import Region
from communities.regions.provisioning import provision_city, provision_region

from ._base import ProvisioningCommand


class Command(ProvisioningCommand):
    help = "Create the city, a district under it or a street under a district (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=[k.value for k in Region.Kind])
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--parent", help="slug of the parent region (not for the city)")

    def provision(self, *args, kind, name, slug, parent, **options):
        if kind == Region.Kind.CITY:
            result = provision_city(name, slug)
        else:
            result = provision_region(kind, name, slug, parent or "")
        verb = "created" if result.created else "already exists, nothing changed"
        self.stdout.write(f"{result.obj.get_kind_display()} {result.obj.name} ({result.obj.slug}): {verb}")
