"""Background work: delivery, status polling, catalogue sync and the stuck digest.

With the database backend, `manage.py open311 tick` (cron, every minute) enqueues the periodic
ones; see docs/open311.md.
"""

from django_tasks import task

from . import catalogue, delivery, digest, updates
from .conf import all_endpoints, default_endpoint


@task()
def deliver_outbox(outbox_id: int) -> str:
    return delivery.process_one(outbox_id)


@task()
def process_due_outbox(max_rows: int = 1000) -> dict:
    """Work through due deliveries in batches until none is due or `max_rows` were attempted."""
    totals: dict[str, int] = {}
    done = 0
    while done < max_rows:
        counts = delivery.process_due()
        if not counts:
            break
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
        done += sum(counts.values())
    return totals


@task()
def poll_updates() -> dict:
    totals: dict[str, int] = {}
    for endpoint in all_endpoints():
        for key, value in updates.poll(endpoint).items():
            totals[key] = totals.get(key, 0) + value
    return totals


@task()
def sync_catalogue() -> dict:
    endpoint = default_endpoint()
    return catalogue.sync_services(endpoint) if endpoint.configured else {}


@task()
def send_stuck_digest() -> int:
    return digest.send_stuck_digest()
