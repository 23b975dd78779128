"""Which rows are in a given phase, as a database filter.

Deliberation topics and elections both move through phases that begin on dates a worker set: the
current phase is the last one whose date has come (`current_phase()` on each model). Filtering a
listing by phase must happen in the database, before pagination, or a page would come back short or
empty while later pages still hold matches.
"""

from django.db.models import Q


def in_phase(starts: list[tuple[str, str]], phase: str, now) -> Q:
    """Rows whose current phase at `now` is `phase`.

    `starts` lists (phase, date field) in order; the first phase is current until a later one's date
    has come. Phase p is current when its date has come (or it is the first) and no later phase's
    date has come, which is what the models' `current_phase()` computes row by row.
    """
    names = [name for name, _field in starts]
    index = names.index(phase)
    condition = Q()
    if index > 0:
        field = starts[index][1]
        condition &= Q(**{f"{field}__lte": now})
    for _name, later in starts[index + 1 :]:
        condition &= Q(**{f"{later}__isnull": True}) | Q(**{f"{later}__gt": now})
    return condition
