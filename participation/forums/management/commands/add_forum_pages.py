from django.core.management.base import BaseCommand

from communities.regions.models import Community
from participation.forums.pages import add_forum_page


class Command(BaseCommand):
    help = "Give every community that lacks one its forum entry in the navigation."

    def handle(self, *args, **options):
        added = sum(add_forum_page(c) is not None for c in Community.objects.select_related("root_page"))
        self.stdout.write(f"{added} forum pages added.")
