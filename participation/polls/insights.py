"""Poll responses for decision support (portal.insights), by the community the poll belongs to."""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.regions.insights import community_of_path, community_roots
from portal.insights import registry
from portal.insights.registry import FLOW, Figure

from .models import Participation


def responses(start, end):
    first = timezone.localdate(start)
    last = timezone.localdate(end - timedelta(microseconds=1))
    rows = Participation.objects.filter(answered_on__gte=first, answered_on__lte=last)
    roots = community_roots()
    for row in rows.values("poll__path").annotate(n=Count("pk")).order_by():
        community_id = community_of_path(row["poll__path"], roots)
        if community_id is not None:
            yield community_id, "", 0, row["n"]


def register():
    registry.register_sources("polls", Participation)
    registry.register(Figure("polls.responses", _("Poll responses"), "participation", FLOW, responses, order=30))
