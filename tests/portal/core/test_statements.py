"""portal.core.statements: a queryset compiled once, run with new values, answering as the queryset does."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.core.statements import Statement
from portal.notifications.models import Notification
from portal.notifications.services import notify

pytestmark = pytest.mark.django_db


def _by_recipient_and_verb(user, verb):
    return Notification.objects.filter(recipient_id=user, verb=verb).order_by("pk").values_list("key", "read_at")


def test_each_call_answers_as_the_queryset_with_its_own_values(make_user):
    ann, bob = make_user(), make_user()
    for user, verbs in ((ann, ["forum.reply", "forum.reply", "poll.open"]), (bob, ["poll.open"])):
        for i, verb in enumerate(verbs):
            notify(user, verb, "text", key=f"{verb}.{i}")
    Notification.objects.filter(recipient=ann, verb="poll.open").update(read_at=timezone.now() - timedelta(hours=1))
    statement = Statement(_by_recipient_and_verb)
    for user in (ann, bob):
        for verb in ("forum.reply", "poll.open", "nothing.like.it"):
            expected = list(_by_recipient_and_verb(user.pk, verb))
            assert statement(user=user.pk, verb=verb) == expected
    # The ORM's converters ran: a timestamp is an aware datetime on every database, as from the queryset.
    ((_key, read_at),) = statement(user=ann.pk, verb="poll.open")
    assert read_at is not None and timezone.is_aware(read_at)


def test_it_is_built_once_per_database_and_then_runs_one_query(make_user):
    user = make_user()
    notify(user, "forum.reply", "text", key="k1")
    built = []

    def unread(user):
        built.append(user)
        rows = Notification.objects.filter(recipient_id=user, read_at__isnull=True).order_by()
        return rows.values("recipient_id").annotate(n=Count("pk")).values_list("n")

    statement = Statement(unread)
    assert statement(user=user.pk) == [(1,)]
    builds = len(built)  # twice: the second build checks that nothing in it changes from one build to the next
    with CaptureQueriesContext(connection) as captured:
        assert statement(user=user.pk + 1000) == []
    assert len(captured) == 1 and len(built) == builds == 2


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda user: Notification.objects.filter(recipient_id=user), "values_list"),
        (lambda user: Notification.objects.filter(verb__contains=user).values_list("pk"), "do not reach the SQL"),
        (
            lambda user: Notification.objects.filter(recipient_id=user, created_at__gte=timezone.now()).values_list(
                "pk"
            ),
            "compiles its constants in for good",
        ),
    ],
    ids=["model rows", "a value the lookup rewrites", "a datetime constant"],
)
def test_what_cannot_be_compiled_once_is_refused_with_the_reason(build, message):
    with pytest.raises((TypeError, ValueError), match=message):
        Statement(build)(user=1)


def test_a_missing_or_unknown_value_is_refused():
    statement = Statement(_by_recipient_and_verb)
    with pytest.raises(TypeError, match="takes user, verb"):
        statement(user=1)
    with pytest.raises(TypeError, match="takes user, verb"):
        statement(user=1, verb="x", extra=2)
