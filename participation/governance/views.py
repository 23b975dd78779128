"""社区自治: the self-governance section of a community's site, gathering in one place its committees and
elections (from the registry the elections app fills), the residents' convention, the council's minutes,
and the community's decisions (阳光议事), residents' proposals and polls."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.deliberations.models import Proposal, Topic
from participation.polls.models import PollPage
from portal.core.sites import community_for_request
from portal.core.tree import below

from . import registry
from .models import ConventionPage, MinutesIndexPage, MinutesPage

LISTED = 8


def index(request):
    community = community_for_request(request)
    if community is None:
        raise Http404(_("Self-governance belongs to a community site."))
    now = timezone.now()
    root = community.root_page
    convention = ConventionPage.objects.live().filter(below(root)).first()
    topics = Topic.objects.filter(community=community).only("pk", "title", "voting_starts", "voting_ends")
    polls = (
        PollPage.objects.live().filter(below(root)).only("title", "url_path", "path", "depth", "opens_at", "closes_at")
    )
    open_elections, past_elections = registry.elections(community)
    context = {
        "community": community,
        "committees": registry.committees(community),
        "open_elections": open_elections,
        "past_elections": past_elections[:LISTED],
        "convention": convention,
        "endorsements": convention.endorsements.count() if convention else 0,
        "minutes_index": MinutesIndexPage.objects.live().filter(below(root)).first(),
        "minutes": MinutesPage.objects.live().filter(below(root)).order_by("-meeting_date", "-pk")[:5],
        "open_topics": topics.filter(voting_ends__gt=now).order_by("voting_starts"),
        "past_topics": topics.filter(voting_ends__lte=now).order_by("-voting_ends")[:LISTED],
        "proposals": Proposal.objects.filter(community=community, topic__isnull=True, declined_at__isnull=True)
        .only("pk", "title", "created_at", "ready_at")
        .order_by("-created_at")[:LISTED],
        "open_polls": polls.filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at"),
        "past_polls": polls.filter(closes_at__lte=now).order_by("-closes_at")[:LISTED],
        "panels": registry.panels(request, community),
    }
    return render(request, "governance/index.html", context)
