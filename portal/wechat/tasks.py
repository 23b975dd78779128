"""Slow answers leave the callback (WeChat waits 5 seconds at most): the search runs here, in a task, and
its answer goes out through the customer-service message API."""

import logging

from django_tasks import task
from wechatpy.exceptions import WeChatClientException

logger = logging.getLogger("portal.wechat")


@task()
def answer_by_search(account_id: int, openid: str, query: str) -> str:
    from .client import Client
    from .handlers import search_answer
    from .models import Account, Follower

    account = Account.objects.select_related("community").filter(pk=account_id).first()
    if account is None:
        return "no account"
    if Follower.objects.filter(account=account, openid=openid, subscribed=False).exists():
        return "unsubscribed"  # no more messages to a follower who left
    text = search_answer(account, query)
    try:
        Client.for_account(account).message.send_text(openid, text)
    except WeChatClientException as error:  # recorded on the account by the client; not retried
        logger.warning("wechat: search answer not sent for %s: %s", account.community.slug, error.errcode)
        return f"error {error.errcode}"
    return "sent"
