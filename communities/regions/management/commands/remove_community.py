from django.core.management.base import CommandError

from communities.regions.provisioning import remove_community

from ._base import ProvisioningCommand


class Command(ProvisioningCommand):
    help = "Remove a community: its pages, Site, groups, settings and (empty) collection."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--yes", action="store_true", help="confirm; nothing is removed without it")

    def provision(self, *args, slug, yes, **options):
        if not yes:
            raise CommandError(f"This removes the community '{slug}' and all its pages. Add --yes to confirm.")
        remove_community(slug)
        self.stdout.write(f"community {slug} removed")
