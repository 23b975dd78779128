from communities.regions.provisioning import rename_community

from ._base import ProvisioningCommand


class Command(ProvisioningCommand):
    help = "Rename a community: its name, slug and/or hostname, with its Site, page, collection and groups."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name")
        parser.add_argument("--new-slug")
        parser.add_argument("--hostname")

    def provision(self, *args, slug, name, new_slug, hostname, **options):
        c = rename_community(slug, name=name, new_slug=new_slug, hostname=hostname)
        self.stdout.write(f"community is now {c.name} ({c.slug}) at {c.hostname}")
