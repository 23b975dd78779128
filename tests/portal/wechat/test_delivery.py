"""Notifications through WeChat: the delivery channel sends template messages through the stand-in."""

import logging

import pytest

from portal.notifications import channels
from portal.notifications.models import Notification
from portal.notifications.services import notify
from portal.wechat import delivery
from portal.wechat.models import Account, Binding, Follower, MessageTemplate

TEMPLATE_SEND = "/cgi-bin/message/template/send"


@pytest.fixture
def resident(make_account, make_user, standin):
    account = make_account(kind=Account.Kind.SERVICE)
    MessageTemplate.objects.create(
        account=account,
        event=MessageTemplate.Event.COMPLAINT,
        template_id="TPL-COMPLAINT",
        fields={"thing1": "{title}", "time2": "{time}", "remark": "{community}：{text}"},
    )
    user = make_user("wxtold")
    binding = Binding.objects.create(account=account, openid="oTold", user=user)
    return account, user, binding


def tell(user, account, verb="complaint.update", key="k1", text="您的投诉 #7：已受理。"):
    return notify(user, verb, text, url="http://a1.localhost/complaints/x/", key=key, community=account.community)


def test_a_notification_becomes_one_template_message(resident, standin, django_capture_on_commit_callbacks):
    account, user, _binding = resident
    with django_capture_on_commit_callbacks(execute=True):
        assert tell(user, account)
        assert not tell(user, account)  # recorded once, sent once
    (sent,) = standin.sent(TEMPLATE_SEND)
    assert sent["touser"] == "oTold" and sent["template_id"] == "TPL-COMPLAINT"
    assert sent["url"] == "http://a1.localhost/complaints/x/"
    assert sent["data"]["thing1"]["value"] == "您的投诉 #7：已受理。"
    assert sent["data"]["remark"]["value"] == f"{account.community.name}：您的投诉 #7：已受理。"
    assert sent["data"]["time2"]["value"][:2] == "20"


def test_nothing_is_sent_without_binding_template_consent_or_to_an_unfollower(
    resident, standin, make_user, django_capture_on_commit_callbacks
):
    account, user, binding = resident
    with django_capture_on_commit_callbacks(execute=True):
        tell(make_user("unbound"), account, key="a")  # not bound
        tell(user, account, verb="forum.reply", key="b")  # no template for that event
        tell(user, account, verb="forum.like", key="c")  # not an event WeChat carries
        notify(user, "complaint.update", "x", key="d")  # no community
        Binding.objects.filter(pk=binding.pk).update(notifications=False)
        tell(user, account, key="e")  # opted out
        Binding.objects.filter(pk=binding.pk).update(notifications=True)
        Follower.objects.create(account=account, openid="oTold", subscribed=False)
        tell(user, account, key="f")  # unfollowed
    assert standin.sent(TEMPLATE_SEND) == []
    assert Notification.objects.filter(recipient=user).count() == 5  # on the site all the same


@pytest.mark.parametrize("refusal", [43004, 43101])
def test_a_refusal_stops_further_sends(resident, standin, refusal, django_capture_on_commit_callbacks):
    account, user, binding = resident
    standin.fail_next(refusal)
    with django_capture_on_commit_callbacks(execute=True):
        tell(user, account, key="1")
        tell(user, account, key="2")
    binding.refresh_from_db()
    assert binding.stopped_at is not None
    assert standin.counts[TEMPLATE_SEND] == 1  # the refused one; the second was not tried


def test_failures_are_retried_with_backoff_then_given_up_with_a_log_line(
    resident, standin, settings, caplog, django_capture_on_commit_callbacks
):
    account, user, _binding = resident
    settings.WECHAT_SEND_ATTEMPTS = 3
    standin.fail_next(45009, 45009, 45009)
    with caplog.at_level(logging.INFO, logger="portal.wechat"), django_capture_on_commit_callbacks(execute=True):
        assert tell(user, account)
    assert standin.counts[TEMPLATE_SEND] == 3
    assert "given up after 3 tries: 45009" in caplog.text
    assert delivery.backoff(1).total_seconds() * 4 == delivery.backoff(3).total_seconds()
    standin.fail_next(45009)
    with django_capture_on_commit_callbacks(execute=True):
        tell(user, account, key="again")
    assert len(standin.sent(TEMPLATE_SEND)) == 1  # the second try of the next one went out


def test_a_failing_channel_never_undoes_the_notification(resident, django_capture_on_commit_callbacks):
    account, user, _binding = resident

    def broken(notification):
        raise RuntimeError("boom")

    channels.register(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert tell(user, account)
    finally:
        channels.unregister(broken)
    assert Notification.objects.filter(recipient=user).exists()


def test_membership_and_election_notices_carry_their_community_and_go_out_as_templates(
    resident, standin, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from portal.accounts.membership import notify_decision
    from portal.accounts.models import Membership

    account, user, _binding = resident
    for event in (MessageTemplate.Event.MEMBERSHIP, MessageTemplate.Event.ELECTION):
        MessageTemplate.objects.create(
            account=account, event=event, template_id=f"TPL-{event}", fields={"first": "{community}：{text}"}
        )
    membership = Membership.objects.create(
        user=user, community=account.community, status=Membership.Status.VERIFIED, decided_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_decision(membership)
        assert tell(user, account, verb="elections.phase", key="elections.1.voting", text="选举投票开始")
    told = Notification.objects.get(verb="membership.verified")
    assert told.community == account.community and account.community.name in told.text
    assert told.url.startswith("http://a1.localhost/")
    sent = {s["template_id"]: s for s in standin.sent(TEMPLATE_SEND)}
    assert sorted(sent) == ["TPL-election", "TPL-membership"]
    assert sent["TPL-election"]["data"]["first"]["value"] == f"{account.community.name}：选举投票开始"
    assert sent["TPL-membership"]["data"]["first"]["value"].startswith(f"{account.community.name}：")
