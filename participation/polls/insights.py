"""Poll responses for decision support (portal.insights), by the community the poll belongs to."""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.regions.insights import community_of_path, community_roots
from communities.regions.models import Community
from portal.insights import registry
from portal.insights.registry import FLOW, Figure, Link

from .models import Participation, PollPage


def responses(start, end):
    first = timezone.localdate(start)
    last = timezone.localdate(end - timedelta(microseconds=1))
    rows = Participation.objects.filter(answered_on__gte=first, answered_on__lte=last)
    roots = community_roots()
    for row in rows.values("poll__path").annotate(n=Count("pk")).order_by():
        community_id = community_of_path(row["poll__path"], roots)
        if community_id is not None:
            yield community_id, "", 0, row["n"]


def response_items(community_ids, start, end, dimension=None):
    """The polls answered in the period, each with its responses then (the figure is that column's sum); who
    answered is never listed. Each poll links to its public page."""
    first = timezone.localdate(start)
    last = timezone.localdate(end - timedelta(microseconds=1))
    rows = Participation.objects.filter(answered_on__gte=first, answered_on__lte=last)
    counts = dict(rows.values_list("poll_id").annotate(n=Count("pk")).order_by())
    roots = community_roots()
    names = dict(Community.objects.filter(pk__in=community_ids).values_list("pk", "name"))
    found = []
    for poll in PollPage.objects.filter(pk__in=list(counts)).order_by("-closes_at", "-pk"):
        community_id = community_of_path(poll.path, roots)
        if community_id in names:
            found.append(
                (
                    Link(poll.title, poll.get_full_url()),
                    names[community_id],
                    timezone.localtime(poll.opens_at).date().isoformat(),
                    timezone.localtime(poll.closes_at).date().isoformat(),
                    counts[poll.pk],
                )
            )
    columns = [_("Poll"), _("Community"), _("Opens"), _("Closes"), _("Responses in the period")]
    return columns, found[:500]


def register():
    registry.register_sources("polls", Participation)
    registry.register(
        Figure(
            "polls.responses",
            _("Poll responses"),
            "participation",
            FLOW,
            responses,
            order=30,
            items=response_items,
            items_count_column=4,
        )
    )
