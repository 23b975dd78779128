from django.core.management.base import BaseCommand, CommandError

from portal.accounts import retention
from portal.accounts.tasks import purge_personal_data


class Command(BaseCommand):
    help = (
        "Delete verification codes and erase IP addresses older than PORTAL_VERIFICATION_CODE_RETENTION_DAYS / "
        "PORTAL_IP_RETENTION_DAYS. Schedule it daily (cron or a systemd timer). With --vacuum (PostgreSQL), "
        "VACUUM the tables account deletion writes to; with --reerase ID..., erase again accounts deleted after "
        "the backup that was restored (see docs/accounts.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="Hand the work to the task queue (db_worker) instead of now."
        )
        parser.add_argument(
            "--vacuum", action="store_true", help="PostgreSQL: VACUUM the tables account deletion writes to."
        )
        parser.add_argument(
            "--reerase",
            nargs="+",
            type=int,
            metavar="ACCOUNT_ID",
            help="After restoring a backup: erase these deleted accounts again (ids from the application log).",
        )

    def handle(self, *args, enqueue=False, vacuum=False, reerase=None, **options):
        if reerase:
            erased = retention.erase_again(reerase)
            self.stdout.write(f"Erased again: {', '.join(map(str, erased)) or 'none (all still erased)'}.")
            return
        if vacuum:
            try:
                tables = retention.vacuum_erasure_tables()
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Vacuumed {len(tables)} tables." if tables else "VACUUM is for PostgreSQL only.")
            return
        if enqueue:
            result = purge_personal_data.enqueue()
            self.stdout.write(f"Enqueued task {result.id}.")
            return
        counts = purge_personal_data.call()
        self.stdout.write(", ".join(f"{name}: {n}" for name, n in counts.items()))
