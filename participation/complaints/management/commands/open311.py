from django.core.management.base import BaseCommand, CommandError

from participation.complaints import catalogue, delivery, digest, open311, updates
from participation.complaints.conf import all_endpoints, default_endpoint


class Command(BaseCommand):
    help = (
        "The link to the city's Open311 system. deliver: attempt due deliveries now; poll: pull status "
        "updates; sync: refresh the category catalogue; digest: mail the stuck deliveries; tick: enqueue "
        "deliver and poll as tasks (run it every minute from cron with db_worker deployments)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["deliver", "poll", "sync", "digest", "tick"])
        parser.add_argument("--limit", type=int, default=200, help="deliver: at most this many rows")

    def handle(self, action, limit, **options):
        if action in ("poll", "sync") and not all_endpoints():
            raise CommandError("OPEN311_URL is not set: there is no city endpoint to talk to.")
        try:
            result = getattr(self, f"do_{action}")(limit)
        except open311.Open311Error as exc:
            raise CommandError(f"The city's endpoint answered: {exc}") from exc
        self.stdout.write(f"{action}: {result}")

    def do_deliver(self, limit):
        return delivery.process_due(limit=limit)

    def do_poll(self, limit):
        return {endpoint.key: updates.poll(endpoint) for endpoint in all_endpoints()}

    def do_sync(self, limit):
        return catalogue.sync_services(default_endpoint())

    def do_digest(self, limit):
        return digest.send_stuck_digest()

    def do_tick(self, limit):
        from participation.complaints.tasks import poll_updates, process_due_outbox

        return [process_due_outbox.enqueue().id, poll_updates.enqueue().id]
