"""Demo forum threads in 翠园社区: what residents talk about, so the demo's search has something to find
(停车难, 垃圾分类, WiFi, 3号楼...)."""

from django.contrib.auth import get_user_model

from participation.moderation.models import ModerationState

from .models import ForumCategory, Thread
from .services import create_reply, create_thread

THREADS = [
    (
        "小区的垃圾分类做得不好",
        "楼下的垃圾桶从来不分类，厨余垃圾和塑料袋混在一起，督导员只在早上来一会儿。",
        ["同意，3号楼门口的垃圾房晚上经常满出来。", "建议在垃圾房旁边贴上分类图示，老人看得懂。"],
    ),
    (
        "停车难，晚上八点以后找不到停车位",
        "下班回来绕小区三圈都找不到车位，消防通道上也停满了车。",
        ["东门那块空地能不能划成停车位？", "可以在阳光议事会上提一下，大家一起商量。"],
    ),
    (
        "活动室的WiFi连不上",
        "在社区活动室上课，手机连WiFi一直显示密码错误。",
        ["前台贴了新密码，上周换过了。"],
    ),
    (
        "加装电梯的事进展到哪一步了",
        "5号楼2单元征求意见已经一个月了，还差两户签字。",
        ["我们单元已经开工了，补贴申请材料在社区领取。"],
    ),
]


def seed_demo_forum(community) -> None:
    """A category and a few threads with replies, by demo residents (published, as moderators left them)."""
    if Thread.objects.filter(community=community).exists():
        return
    User = get_user_model()
    author, _ = User.objects.get_or_create(username="demo-neighbour", defaults={"display_name": "李阿姨"})
    replier, _ = User.objects.get_or_create(username="demo-neighbour-2", defaults={"display_name": "张师傅"})
    category, _ = ForumCategory.objects.get_or_create(
        community=community, slug="neighbours", defaults={"name": "邻里话题", "description": "小区里的大事小情"}
    )
    for title, body, replies in THREADS:
        thread = create_thread(
            community=community,
            category=category,
            author=author,
            title=title,
            body=body,
            state=ModerationState.PUBLISHED,
        )
        for text in replies:
            create_reply(thread_id=thread.pk, author=replier, body=text, state=ModerationState.PUBLISHED)
    _seed_deleted_resident(community, category, replier)


def _seed_deleted_resident(community, category, replier) -> None:
    """A resident wrote their name, phone and door (the phone and door were masked as they posted), a
    neighbour answered by name, then the resident deleted their account: the thread stays, by a deleted user,
    with the name gone everywhere (their post, the neighbour's reply, the search index)."""
    from portal.accounts.rights import delete_account

    User = get_user_model()
    former, _ = User.objects.get_or_create(
        username="demo-former", defaults={"display_name": "赵先生", "phone": "13700137000"}
    )
    thread = create_thread(
        community=community,
        category=category,
        author=former,
        title="楼上漏水，是谁家的？",
        body="我是赵先生，住3号楼1单元1502室，楼上渗水一周了，有消息请打13700137000。",
        state=ModerationState.PUBLISHED,
    )
    create_reply(
        thread_id=thread.pk,
        author=replier,
        body="赵先生，我去看过了，是楼上的水管，物业明天修。",
        state=ModerationState.PUBLISHED,
    )
    delete_account(former)
