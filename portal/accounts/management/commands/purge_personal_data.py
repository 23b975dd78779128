from django.core.management.base import BaseCommand

from portal.accounts.tasks import purge_personal_data


class Command(BaseCommand):
    help = (
        "Delete verification codes and erase IP addresses older than PORTAL_VERIFICATION_CODE_RETENTION_DAYS / "
        "PORTAL_IP_RETENTION_DAYS. Schedule it daily (cron or a systemd timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="Hand the work to the task queue (db_worker) instead of now."
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = purge_personal_data.enqueue()
            self.stdout.write(f"Enqueued task {result.id}.")
            return
        counts = purge_personal_data.call()
        self.stdout.write(", ".join(f"{name}: {n}" for name, n in counts.items()))
