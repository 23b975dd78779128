"""Telling everyone who took part in a topic that it was decided, and how carrying it out goes.

Run from tasks (participation.deliberations.tasks), never inside a worker's request. Each
notification has a key naming the event, so a retried task tells nobody twice.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from portal.accounts.membership import household_members
from portal.accounts.models import Home
from portal.core.links import site_url
from portal.notifications.services import notify

from . import wording
from .models import Comment, ImplementationUpdate, Topic, VoterRegister, VoterRoll


def users_behind(topic: Topic, voter_key: str) -> list[int]:
    """The accounts a voter key stands for: `user:<pk>`; a household (`home:<pk>`: its verified
    members; `household:<register key>`: everyone the topic's register puts in it), as every member
    of a household that voted is concerned by the decision."""
    kind, _sep, value = voter_key.partition(":")
    if kind == "user":
        return [int(value)]
    if kind == "home":
        home = Home.objects.filter(pk=value).first()
        return list(household_members(home).values_list("pk", flat=True)) if home else []
    if kind == "household":
        return list(VoterRegister.objects.filter(topic=topic, household_key=value).values_list("user_id", flat=True))
    return []


def participants(topic: Topic):
    """Everyone who took part: voters on the roll (online and paper, households expanded) and commenters."""
    ids = set(Comment.objects.filter(topic=topic).values_list("author_id", flat=True))
    for voter_key in VoterRoll.objects.filter(topic=topic).values_list("voter_key", flat=True):
        ids.update(users_behind(topic, voter_key))
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk")


def _topic_url(topic: Topic) -> str:
    from django.urls import reverse

    return site_url(topic.community.site, reverse("deliberations:topic", args=[topic.pk]))


def notify_decided(topic: Topic) -> int:
    """Once the log is sealed: the outcome, to every participant. Returns how many were told now."""
    if not topic.sealed_at:
        return 0
    labels = {o.key: o.label for o in topic.option_infos()}
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Voting on “%(title)s” has closed. %(outcome)s") % {
            "title": topic.title,
            "outcome": wording.outcome(topic.sealed_result, labels),
        }
    url, key = _topic_url(topic), f"deliberations.decided.{topic.pk}"
    return sum(
        notify(user, "deliberations.decided", text, url=url, key=key, community=topic.community)
        for user in participants(topic)
    )


def notify_update(update: ImplementationUpdate) -> int:
    """A worker posted progress on carrying out the decision: every participant hears of it once."""
    topic = update.topic
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Progress on “%(title)s”: %(status)s, %(percent)s%% done.") % {
            "title": topic.title,
            "status": update.get_status_display(),
            "percent": update.percent_complete,
        }
    url, key = _topic_url(topic) + "#outcome-heading", f"deliberations.update.{update.pk}"
    return sum(notify(user, "deliberations.update", text, url=url, key=key) for user in participants(topic))


def notify_opened(topic: Topic) -> int:
    """Voting opened: every account that may vote hears of it once. Returns how many were told now."""
    from .electorate import electorate_for

    with translation.override(settings.LANGUAGE_CODE):
        text = _("Voting on “%(title)s” is open until %(ends)s.") % {
            "title": topic.title,
            "ends": formats.date_format(timezone.localtime(topic.voting_ends), "DATETIME_FORMAT"),
        }
    url, key = _topic_url(topic), f"deliberations.opened.{topic.pk}"
    users = get_user_model().objects.filter(pk__in=electorate_for(topic).eligible_user_ids(topic), is_active=True)
    return sum(
        notify(user, "deliberations.opened", text, url=url, key=key, community=topic.community)
        for user in users.order_by("pk")
    )


def announce_due(now=None) -> list[int]:
    """Tell the voters of every topic whose voting has opened (and not ended) and was not announced yet.

    Each topic is claimed by a conditional update first, so two runs at once announce it once; the
    notification keys make a retry after a crash between claim and sending harmless. Their ids.
    """
    now = now or timezone.now()
    due = Topic.objects.filter(opening_announced_at__isnull=True, voting_starts__lte=now, voting_ends__gt=now)
    announced = []
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            claimed = Topic.objects.filter(pk=pk, opening_announced_at__isnull=True).update(opening_announced_at=now)
            if not claimed:
                continue  # another run got there first
            topic = Topic.objects.select_related("community__site").get(pk=pk)
            notify_opened(topic)
        announced.append(pk)
    return announced
