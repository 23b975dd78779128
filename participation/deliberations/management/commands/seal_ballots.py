from django.core.management.base import BaseCommand

from participation.deliberations import notices
from participation.deliberations.tasks import seal_due, seal_due_topics


class Command(BaseCommand):
    help = (
        "Announce to the eligible voters every topic whose voting has opened, and seal the ballot log"
        " of every topic whose voting has ended (safe to run often; run it every minute "
        "from cron). Sealing pushes the final result to watchers and notifies the participants."
    )

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="hand the work to the task queue (db_worker)")

    def handle(self, *args, enqueue, **options):
        if enqueue:
            self.stdout.write(f"enqueued {seal_due_topics.enqueue().id}")
            return
        for pk in notices.announce_due():
            self.stdout.write(f"announced the opening of topic {pk}")
        for pk in seal_due():
            self.stdout.write(f"sealed topic {pk}")
