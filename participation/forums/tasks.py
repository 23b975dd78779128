from django_tasks import task

from .services import purge_read_state


@task()
def purge_forum_read_state() -> int:
    """Delete read-tracking rows older than the cutoff (run daily, e.g. from cron: enqueue this task)."""
    return purge_read_state()
