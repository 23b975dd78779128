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


# Every other demo community gets these (no 停车/垃圾分类/WiFi: the search demo finds those in 翠园 first).
NEIGHBOURLY_THREADS = [
    (
        "周末有没有人一起晨练",
        "每周六早上七点在中心花园打太极，欢迎邻居们一起来。",
        ["算我一个！", "下雨天改到活动室吗？"],
    ),
    (
        "谁家有梯子可以借用一下",
        "想换一下阳台的灯泡，家里没有梯子，用完马上还。",
        ["我家有，晚上来拿吧。"],
    ),
]
HELP_THREADS = [
    (
        "老人手机不会挂号，哪里能帮忙",
        "家里老人想用手机预约社区医院，但是不会操作。",
        ["社区服务中心每周二下午有志愿者教用手机。"],
    ),
]
CATEGORIES = [
    ("neighbours", "邻里话题", "小区里的大事小情"),
    ("help", "求助互助", "遇到难处，邻里帮一把"),
]


def _demo_member(username, display_name, community):
    """A demo neighbour, a verified member of `community` (the one decision asks members to post)."""
    from portal.accounts.models import Membership

    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"display_name": display_name})
    Membership.objects.get_or_create(user=user, community=community, defaults={"status": Membership.Status.VERIFIED})
    return user


# The one community whose forum shows a thread by a resident who deleted their account.
DELETED_RESIDENT_COMMUNITY = "cuiyuan"


def seed_demo_forum(community) -> None:
    """Two categories with threads and replies by demo neighbours (published, as moderators left them).
    翠园 gets the threads the search demo looks for; the other communities neighbourly ones."""
    if Thread.objects.filter(community=community).exists():
        return
    author = _demo_member("demo-neighbour", "李阿姨", community)
    replier = _demo_member("demo-neighbour-2", "张师傅", community)
    categories = {}
    for order, (slug, name, description) in enumerate(CATEGORIES):
        categories[slug], _ = ForumCategory.objects.get_or_create(
            community=community, slug=slug, defaults={"name": name, "description": description, "sort_order": order}
        )
    first = THREADS if community.slug == "cuiyuan" else NEIGHBOURLY_THREADS
    for slug, threads in (("neighbours", first), ("help", HELP_THREADS)):
        for title, body, replies in threads:
            thread = create_thread(
                community=community,
                category=categories[slug],
                author=author,
                title=title,
                body=body,
                state=ModerationState.PUBLISHED,
            )
            for text in replies:
                create_reply(thread_id=thread.pk, author=replier, body=text, state=ModerationState.PUBLISHED)
    if community.slug == DELETED_RESIDENT_COMMUNITY:
        _seed_deleted_resident(community, categories["neighbours"], replier)


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


def seed_demo_moderation(community, reporter) -> bool:
    """Work for the community's moderator (once): an advertisement a resident reported, and a new account's
    first post waiting for approval."""
    from participation.moderation.models import Report
    from participation.moderation.services import report

    if Report.objects.filter(community=community).exists():
        return False
    thread = Thread.objects.filter(community=community, moderation_state=ModerationState.PUBLISHED).order_by("pk")
    thread = thread.first()
    if thread is None:
        return False
    advertiser = _demo_member("demo-ads", "装修小刘", community)
    advert = create_reply(
        thread_id=thread.pk,
        author=advertiser,
        body="低价装修、疏通下水道，全小区上门服务，加微信 zhuangxiu888 或打 13912345678！",
        state=ModerationState.PUBLISHED,
    )
    report(advert, reporter, "spam", "在好几个帖子里发广告。")
    newcomer = _demo_member("demo-newcomer", "刚搬来的小陈", community)
    create_reply(
        thread_id=thread.pk,
        author=newcomer,
        body="我刚搬到5号楼，请问小区的快递柜在哪里？",
        state=ModerationState.PENDING,
    )
    return True
