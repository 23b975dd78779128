"""The demo's WeChat account: 翠园 with a safe-mode service account, a welcome and keyword replies.

Its credentials are public (they are a demo's): `manage.py wechat_account cuiyuan --show-test-credentials`
prints them, and `manage.py wechat_send cuiyuan 停车` plays WeChat's server against it. The demo follower
(`oDemoFollower`, wechat_send's default) is bound to the demo resident 王阿姨, so
`manage.py wechat_send cuiyuan "投诉 小区门口的路灯坏了"` starts a complaint by message, and a worker's
status change reaches the stand-in as a template message."""

from django.contrib.auth import get_user_model

from communities.regions.models import Community
from portal.wechat.models import Account, Binding, KeywordReply, KeywordReplyPage, MessageTemplate

DEMO_APP_ID = "wxdeadbeef0c0ffee1"
DEMO_SECRET = "demo-app-secret-cuiyuan-000000001"
DEMO_TOKEN = "cuiyuandemotoken"
DEMO_FOLLOWER = "oDemoFollower"  # manage.py wechat_send's default openid
DEMO_AES_KEY = "Y3VpeXVhbi1kZW1vLWVuY29kaW5nLWFlcy1rZXktMzI"  # 43 characters of base64: 32 bytes


def seed_demo_wechat() -> Account | None:
    """Idempotent: the account and its replies are made once, whatever ran before."""
    community = Community.objects.filter(slug="cuiyuan").first()
    if community is None:
        return None
    account = Account.objects.filter(community=community).first()
    if account is None:
        account = Account(
            community=community,
            name="翠园社区服务号",
            app_id=DEMO_APP_ID,
            kind=Account.Kind.SERVICE,
            mode=Account.Mode.SAFE,
            welcome_text="欢迎关注翠园社区！回复“停车”“垃圾分类”试试，或直接输入想找的内容。",
        )
        account.app_secret = DEMO_SECRET
        account.token = DEMO_TOKEN
        account.aes_key = DEMO_AES_KEY
        account.save()
    parking, _ = KeywordReply.objects.get_or_create(
        community=community,
        keyword="停车",
        match=KeywordReply.Match.EXACT,
        defaults={"reply_text": "访客车辆请从东门进入，登记后停放在地面临时车位，限停 2 小时。"},
    )
    sorting, created = KeywordReply.objects.get_or_create(
        community=community,
        keyword="垃圾分类",
        match=KeywordReply.Match.CONTAINS,
        defaults={"reply_text": "垃圾分类投放时间：每天 7:00–9:00、18:00–20:00。详见社区网站："},
    )
    if created:
        KeywordReplyPage.objects.create(reply=sorting, page=community.root_page)
    MessageTemplate.objects.get_or_create(
        account=account,
        event=MessageTemplate.Event.COMPLAINT,
        defaults={
            "template_id": "DEMO-COMPLAINT-STATUS",
            "fields": {"thing1": "{title}", "time2": "{time}", "thing3": "{community}"},
        },
    )
    resident = get_user_model().objects.filter(username="resident").first()
    if resident is not None:
        Binding.objects.get_or_create(
            account=account, openid=DEMO_FOLLOWER, defaults={"user": resident, "nickname": "王阿姨"}
        )
    return account
