from django.core.management.base import BaseCommand

from participation.forums.services import purge_read_state


class Command(BaseCommand):
    help = "Delete forum read-tracking rows older than FORUM_READ_TRACKING_DAYS (such threads count as read)."

    def handle(self, *args, **options):
        self.stdout.write(f"{purge_read_state()} read markers removed.")
