"""Notifications through WeChat: the delivery channel of portal.notifications that sends template messages.

A notification recorded with `notify(..., community=...)` goes, as a template message of that community's
(service) account, to the recipient bound to the account, if they have not opted out and WeChat has not
refused them (43004: they unfollowed; 43101: they refused the messages), for the events the account has a
template for (`MessageTemplate`, set by the workers in the admin).

Sending is a task: a failure is retried with a backoff (WECHAT_SEND_BACKOFF_SECONDS, doubled each time)
up to WECHAT_SEND_ATTEMPTS tries, then given up with a log line. Nothing here blocks or undoes the
action that caused the notification.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from wechatpy.exceptions import WeChatClientException

from .models import Account, Binding, Follower, MessageTemplate

logger = logging.getLogger("portal.wechat")

# The notifications' verbs and the template event that carries them.
EVENTS = {
    "complaint.update": MessageTemplate.Event.COMPLAINT,
    "deliberations.opened": MessageTemplate.Event.DELIBERATION,
    "deliberations.decided": MessageTemplate.Event.DELIBERATION,
    "forum.reply": MessageTemplate.Event.FORUM_REPLY,
    "membership.verified": MessageTemplate.Event.MEMBERSHIP,
    "membership.rejected": MessageTemplate.Event.MEMBERSHIP,
    "membership.revoked": MessageTemplate.Event.MEMBERSHIP,
    "elections.phase": MessageTemplate.Event.ELECTION,
    "elections.nominated": MessageTemplate.Event.ELECTION,
    "elections.objection": MessageTemplate.Event.ELECTION,
}
REFUSED = {43004, 43101}  # the follower unfollowed or refused: no more sends to them
NOT_RETRIED = REFUSED | {40003, 40037, 47001, 48001}  # a wrong openid or template, not authorised
THING_LENGTH = 20  # WeChat's "thing" fields hold 20 characters


def deliver(notification) -> None:
    """The channel: queues a send when the notification concerns an event the account has a template for."""
    event = EVENTS.get(notification.verb)
    if event is None or notification.community_id is None:
        return
    account = Account.objects.filter(community_id=notification.community_id, kind=Account.Kind.SERVICE).first()
    if account is None:
        return
    template = MessageTemplate.objects.filter(account=account, event=event).first()
    binding = Binding.objects.filter(
        account=account, user_id=notification.recipient_id, notifications=True, stopped_at__isnull=True
    ).first()
    if template is None or binding is None:
        return
    if Follower.objects.filter(account=account, openid=binding.openid, subscribed=False).exists():
        return
    send_template.enqueue(notification.pk, binding.pk, template.pk, 1)


def fill(template: MessageTemplate, notification) -> dict:
    """The template's data: each field's text with the placeholders filled in."""
    values = {
        "text": notification.text,
        "title": notification.text[:THING_LENGTH],
        "time": timezone.localtime(notification.created_at).strftime("%Y-%m-%d %H:%M"),
        "community": notification.community.name if notification.community_id else "",
    }
    data = {}
    for name, pattern in (template.fields or {}).items():
        value = str(pattern)
        for placeholder, replacement in values.items():
            value = value.replace("{" + placeholder + "}", replacement)
        data[str(name)] = {"value": value}
    return data


def backoff(attempt: int) -> timedelta:
    """The wait before try number attempt + 1."""
    return timedelta(seconds=settings.WECHAT_SEND_BACKOFF_SECONDS * 2 ** (attempt - 1))


def retry(notification_id: int, binding_id: int, template_id: int, attempt: int) -> None:
    queued = send_template
    if queued.get_backend().supports_defer:
        queued = queued.using(run_after=timezone.now() + backoff(attempt))
    queued.enqueue(notification_id, binding_id, template_id, attempt + 1)


@task()
def send_template(notification_id: int, binding_id: int, template_id: int, attempt: int = 1) -> str:
    from portal.notifications.models import Notification

    from .client import Client

    notification = Notification.objects.select_related("community").filter(pk=notification_id).first()
    binding = Binding.objects.select_related("account").filter(pk=binding_id).first()
    template = MessageTemplate.objects.filter(pk=template_id).first()
    if notification is None or binding is None or template is None:
        return "gone"
    if binding.stopped_at is not None or not binding.notifications:
        return "stopped"
    try:
        Client.for_account(binding.account).message.send_template(
            binding.openid, template.template_id, fill(template, notification), url=notification.url or None
        )
    except WeChatClientException as error:
        if error.errcode in REFUSED:
            Binding.objects.filter(pk=binding.pk).update(stopped_at=timezone.now())
            logger.info("wechat: binding %s refuses messages (%s): no more sends", binding.pk, error.errcode)
            return f"stopped {error.errcode}"
        if error.errcode not in NOT_RETRIED and attempt < settings.WECHAT_SEND_ATTEMPTS:
            logger.info(
                "wechat: template message for notification %s failed (%s), retrying", notification_id, error.errcode
            )
            retry(notification_id, binding_id, template_id, attempt)
            return f"retry {error.errcode}"
        logger.error(
            "wechat: template message for notification %s given up after %s tries: %s",
            notification_id,
            attempt,
            error.errcode,
        )
        return f"gave up {error.errcode}"
    return "sent"
