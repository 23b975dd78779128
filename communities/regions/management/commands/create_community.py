from communities.regions.provisioning import provision_community

from ._base import ProvisioningCommand


class Command(ProvisioningCommand):
    help = (
        "Create a community in one transaction: its Site, home page and sections under its street, "
        "its collection, its editors and moderators groups with permissions, and its settings. "
        "Running it again with the same arguments changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--street", required=True, help="slug of the street the community belongs to")
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="DNS label: lower-case letters, digits, hyphens")
        parser.add_argument("--hostname", help="default: <slug>.<PORTAL_BASE_DOMAIN>")

    def provision(self, *args, street, name, slug, hostname, **options):
        result = provision_community(name=name, slug=slug, street_slug=street, hostname=hostname)
        c = result.obj
        verb = "created" if result.created else "already exists, nothing changed"
        self.stdout.write(f"community {c.name} ({c.slug}) at {c.hostname}: {verb}")
