"""Background work: telling the electorate about a phase, and the periodic tick (`manage.py election_tick`)."""

from django_tasks import task

from .models import Election


@task()
def notify_phase_task(election_id: int, phase: str) -> int:
    from . import phases

    election = Election.objects.select_related("community__site").filter(pk=election_id).first()
    return phases.notify_phase(election, phase) if election else 0


def tick() -> list[int]:
    """Advance every election that is not finished: build lists, seal what closed, notify phases."""
    from . import phases

    done = []
    for election in Election.objects.filter(results_announced_at__isnull=True).select_related("community"):
        phases.advance(election)
        done.append(election.pk)
    return done
