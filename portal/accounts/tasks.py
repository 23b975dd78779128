from django_tasks import task

from .retention import purge_expired_personal_data


@task()
def purge_personal_data() -> dict:
    """Run daily: `manage.py purge_personal_data --enqueue` from cron, executed by `manage.py db_worker`."""
    return purge_expired_personal_data()
