from django.core.management.base import BaseCommand

from communities.organisations.provisioning import ensure_organisation_section
from communities.regions.models import Community


class Command(BaseCommand):
    help = "Give every community its organisations section and moderation workflow (idempotent)."

    def handle(self, **options):
        for community in Community.objects.select_related("root_page", "editors_group"):
            ensure_organisation_section(community)
        self.stdout.write(f"{Community.objects.count()} communities checked.")
