"""Demo deliberations: a homeowners' decision being carried out (with its plan and a site photo); two votes
open for the demo resident (a secret ballot whose end was moved, with the reason published, and one limited
to 3号楼); a residents' proposal still collecting co-signers and one the community office declined."""

import io
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PillowImage
from wagtail.documents.models import Document
from wagtail.images.models import Image

from portal.accounts.models import Building, Home, Membership

from . import proposals
from .ballots import cast_vote
from .models import (
    DeliberationSettings,
    ImplementationUpdate,
    Option,
    ScheduleChange,
    Topic,
    TopicBuilding,
    TopicDocument,
)

NEIGHBOURS = [  # username, display name, room, floor area (m²)
    ("demo_liu", "刘师傅", "301", "89.50"),
    ("demo_chen", "陈老师", "402", "102.30"),
    ("demo_zhao", "赵大姐", "501", "76.80"),
]


def _neighbours(community, password):
    building, _ = Building.objects.get_or_create(community=community, name="3号楼", defaults={"units": "1,2"})
    people = []
    for username, name, room, area in NEIGHBOURS:
        user, created = get_user_model().objects.get_or_create(username=username, defaults={"display_name": name})
        if created:
            user.set_password(password)
            user.save()
        home, _ = Home.objects.get_or_create(
            community=community, building=building, unit="1", room=room, defaults={"floor_area": Decimal(area)}
        )
        Membership.objects.get_or_create(
            user=user,
            community=community,
            defaults={"home": home, "status": Membership.Status.VERIFIED, "is_homeowner": True},
        )
        people.append(user)
    return people


def _site_photo(community) -> Image:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (640, 400), (96, 125, 139)).save(buffer, "JPEG")
    return Image.objects.create(
        title="电梯井道施工",
        description="3号楼1单元电梯井道施工现场，脚手架已搭好",
        file=ImageFile(buffer, name="elevator-shaft.jpg"),
        collection=community.collection,
    )


def seed_demo_deliberations(community, password: str) -> None:
    now = timezone.now()
    DeliberationSettings.objects.update_or_create(
        community=community,
        defaults={"residents_may_propose": True, "cosigners_needed": 5, "default_quorum_percent": 30},
    )
    liu, chen, zhao = _neighbours(community, password)

    topic = Topic.objects.create(
        community=community,
        title="3号楼1单元加装电梯",
        description="加装一部电梯，费用按楼层分摊。施工方案和报价见下方文件。",
        proposal_starts=now - timedelta(days=60),
        discussion_starts=now - timedelta(days=50),
        voting_starts=now - timedelta(days=40),
        voting_ends=now + timedelta(hours=1),  # open while the neighbours vote, closed below
        electorate=Topic.Electorate.HOMEOWNERS,
        majority=Topic.Majority.DOUBLE,
        double_participation="two_thirds",
        secret=False,
        outcome="业主按双三分之二通过加装电梯，已于上月开工。",
    )
    for order, label in enumerate(["同意加装", "不同意"]):
        Option.objects.create(topic=topic, label=label, sort_order=order)
    for neighbour in (liu, chen, zhao):
        cast_vote(topic, neighbour, topic.options.first().pk)
    Topic.objects.filter(pk=topic.pk).update(
        voting_ends=now - timedelta(days=30), implementation_starts=now - timedelta(days=20)
    )
    plan = Document.objects.create(
        title="加装电梯施工方案与报价",
        file=ContentFile("施工方案（演示文件）\n".encode(), name="elevator-plan.txt"),
        collection=community.collection,
    )
    TopicDocument.objects.create(topic=topic, document=plan)
    ImplementationUpdate.objects.create(
        topic=topic,
        date=timezone.localdate() - timedelta(days=5),
        percent_complete=40,
        spending=Decimal("180000"),
        note="井道基础已完成，下周开始安装导轨。",
        photos=[("photo", _site_photo(community))],
    )

    description = "北门空地闲置，建议增设带充电桩的车棚，避免飞线充电。"
    proposal = proposals.submit(liu, community, "小区北门增设电动车充电棚", description, ["同意", "反对"])
    for neighbour in (chen, zhao):
        proposals.cosign(neighbour, proposal)

    idea = "活动室白天空着，可以开设麻将室。"
    declined = proposals.submit(zhao, community, "在活动室开设麻将室", idea, ["同意", "反对"])
    proposals.decline(
        declined,
        None,
        "活动室按规定只用于公益活动，不能用于棋牌娱乐。老年活动中心（2号楼一层）每天下午开放棋牌角，欢迎前往。",
    )
    _open_votes(community, liu, chen, zhao)


def _open_topic(community, title, description, options, **fields) -> Topic:
    now = timezone.now()
    topic = Topic.objects.create(
        community=community,
        title=title,
        description=description,
        proposal_starts=now - timedelta(days=20),
        discussion_starts=now - timedelta(days=14),
        voting_starts=now - timedelta(days=2),
        voting_ends=now + timedelta(days=30),
        **fields,
    )
    for order, label in enumerate(options):
        Option.objects.create(topic=topic, label=label, sort_order=order)
    return topic


def _open_votes(community, liu, chen, zhao):
    """Votes open for a month from the seeding, so the demo resident (王阿姨, 3号楼) can vote right away."""
    parking = _open_topic(
        community,
        "小区停车位改造方案",
        "拟将东侧绿地边缘改建为24个停车位，并增设充电桩。请选择您支持的方案。",
        ["方案一：改建停车位并增设充电桩", "方案二：只增设充电桩", "维持现状"],
        secret=True,
        quorum_percent=30,
    )
    Option.objects.create(topic=parking, label="弃权", is_abstention=True, sort_order=3)
    for neighbour, choice in ((liu, 0), (chen, 1)):
        cast_vote(parking, neighbour, parking.options.all()[choice].pk)
    old_end = parking.voting_ends
    new_end = old_end - timedelta(days=9)
    ScheduleChange.objects.create(
        topic=parking,
        old_voting_ends=old_end,
        new_voting_ends=new_end,
        votes_cast=parking.roll.count(),
        reason="施工单位排期提前，经居委会讨论，投票提前结束；结束前仍有三周时间。",
    )
    Topic.objects.filter(pk=parking.pk).update(voting_ends=new_end)

    lights = _open_topic(
        community,
        "3号楼楼道照明改造",
        "将3号楼楼道灯更换为声控LED灯，费用由公共维修资金支出。只有3号楼的住户投票，每户一票。",
        ["同意", "不同意"],
        electorate=Topic.Electorate.HOUSEHOLD,
        secret=True,
        quorum_percent=50,
    )
    building = Building.objects.get(community=community, name="3号楼")
    TopicBuilding.objects.create(topic=lights, building=building)
    cast_vote(lights, zhao, lights.options.first().pk)


def seed_demo_open_topic(community) -> Topic:
    """One topic open for voting for a month: what a community with no deliberation history shows first."""
    return _open_topic(
        community,
        "社区活动中心开放时间调整",
        "拟将社区活动中心周末开放时间延长至晚上9点，所需值班人员由志愿者轮流担任。",
        ["同意延长", "维持现状"],
    )
