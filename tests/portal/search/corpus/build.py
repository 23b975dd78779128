"""The search-quality corpus: at least 300 items of every kind, built the same way every time.

Most items combine a topic's hand-written phrases and sentences (topics.py) with the way each kind
of page is written (a notice announces, a resident complains, a project reports). A few dozen
hand-written items (ANCHORS) are the ones particular queries must find first.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .topics import BUILDINGS, ESTATES, ORGANISATION_KINDS, TOPICS

PER_KIND = 310
KINDS = (
    "notice",
    "news",
    "event",
    "service",
    "thread",
    "post",
    "deliberation",
    "proposal",
    "poll",
    "complaint",
    "organisation",
    "project",
)
START = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Item:
    key: str  # "kind:n"
    kind: str
    title: str
    text: str
    topic: str
    community: int  # 0, 1 or 2: spread over the test city's communities
    date: datetime


# How each kind is written. {t}: a title phrase of the topic; {e}: an estate; {b}: a building.
TITLES = {
    "notice": ("关于{t}的通知", "{e}{t}工作安排的通知", "{t}温馨提示", "关于开展{t}的公告", "{b}{t}通知"),
    "news": ("{e}开展{t}主题活动", "我社区{t}工作取得新进展", "{t}：居民点赞", "走进{e}：{t}见闻", "{t}经验交流会召开"),
    "event": ("{t}活动报名", "周末{t}活动", "{e}{t}现场活动", "{t}宣传日", "{t}主题讲座"),
    "service": ("{t}办理指南", "{t}服务", "{t}咨询", "{t}便民服务点", "{t}预约"),
    "thread": ("{e}的{t}问题谁来管", "{b}{t}的事大家怎么看", "求助：{t}", "说说{t}", "{t}太让人头疼了"),
    "post": ("{t}", "{t}", "{t}", "{t}", "{t}"),
    "deliberation": ("关于{t}的议题", "{e}{t}方案表决", "{t}怎么办？请居民议事", "{t}议事协商", "{b}{t}议题"),
    "proposal": ("建议解决{t}问题", "提议：{e}{t}", "关于{t}的居民提议", "{t}，请社区议一议", "联名建议{t}"),
    "poll": ("{t}满意度调查", "{t}意见征集", "{e}{t}问卷", "关于{t}的民意调查", "{t}需求调查"),
    "complaint": ("{t}", "{t}", "{t}", "{t}", "{t}"),
    "organisation": (
        "{e}{t}{o}",
        "{t}{o}",
        "{e}{o}（{t}）",
        "{t}公益{o}",
        "{e}邻里{t}{o}",
    ),
    "project": ("{t}公益项目", "{e}{t}项目", "{t}提升计划", "{t}关爱行动", "{t}示范项目"),
}

OPENINGS = {
    "notice": ("各位居民：", "尊敬的业主：", "各楼栋居民朋友："),
    "news": ("近日，", "本月，", "上周末，"),
    "event": ("活动时间：本周六上午。", "活动地点：社区活动室。", "欢迎居民报名参加。"),
    "service": ("办理地点：社区党群服务中心。", "服务对象：辖区居民。", "办理时间：工作日。"),
    "thread": ("住了十几年，第一次发帖。", "大家好，", "想问问大家，"),
    "post": ("同意楼上。", "我也遇到过。", "说得对，", "补充一点，", "我们楼也是这样，"),
    "deliberation": ("议题背景：", "议题说明：", "居民反映："),
    "proposal": ("提议人：本小区居民。", "情况说明：", "我们几户居民商量后提出："),
    "poll": ("为了解居民需求，", "本调查匿名填写，", "请花两分钟填写问卷："),
    "complaint": ("反映问题：", "我要反映：", "情况如下："),
    "organisation": ("本组织成立于2019年，", "宗旨：服务居民、互助共建。", "登记管理机关：区民政局。"),
    "project": ("项目目标：", "项目进展：", "项目简介："),
}

CLOSINGS = {
    "notice": ("特此通知。", "感谢大家的理解与配合。", "如有疑问请联系社区居委会。"),
    "news": ("居民纷纷表示受益匪浅。", "社区将持续推进相关工作。", "活动受到居民好评。"),
    "event": ("名额有限，先到先得。", "请提前十分钟到场。", "活动免费。"),
    "service": ("需要的材料请提前准备好。", "可以电话预约。", "节假日除外。"),
    "thread": ("有没有人一起反映？", "希望有关部门管一管。", "大家有什么好办法？"),
    "post": ("顶一下。", "希望早点解决。", "支持。", "已经打过电话了。"),
    "deliberation": ("请居民代表按时参加议事会。", "表决结果将公示。", "欢迎发表意见。"),
    "proposal": ("请社区组织议事。", "希望更多居民联署支持。", "谢谢大家。"),
    "poll": ("感谢您的参与。", "调查结果将在网站公布。", "问卷截止到月底。"),
    "complaint": ("请尽快处理。", "已经拍照留存。", "希望给个答复。"),
    "organisation": ("欢迎居民加入。", "财务信息按季度公开。", "接受社会监督。"),
    "project": ("项目资金来源于政府购买服务。", "受益居民超过两百人。", "下一阶段将扩大服务范围。"),
}


# Items written by hand: the known items that particular queries must find first.
ANCHORS = (
    ("thread", "小区的垃圾分类做得不好", "楼下垃圾桶从来不分类，厨余和塑料混在一起，督导员也不见人影。", "garbage"),
    ("thread", "3号楼门口的路灯坏了一个月", "3号楼门口晚上漆黑一片，老人出门摔了一跤，物业说要等配件。", "road_lights"),
    ("complaint", "3号楼地下室积水发臭", "3号楼地下室长期积水，蚊虫很多，气味难闻，请物业抽水消杀。", "flood"),
    ("notice", "社区服务中心WiFi密码更换通知", "即日起社区服务中心WiFi密码更换，新密码请到前台询问。", "wifi"),
    ("thread", "活动室的WiFi连不上", "在活动室上课，手机连WiFi一直显示密码错误，问了工作人员也不清楚。", "wifi"),
    ("notice", "长者食堂开饭时间调整", "自下周一起，长者食堂午餐开饭时间调整为10点45分，晚餐17点。", "elderly_meals"),
    ("event", "老年人智能手机培训班", "教老人使用微信视频、扫码乘车、网上挂号，每次课一个半小时。", "wifi"),
    ("notice", "二次供水水箱清洗停水通知", "本周四9:00至17:00清洗二次供水水箱，全小区停水，请提前储水。", "water"),
    (
        "deliberation",
        "关于加装电梯费用分摊的议题",
        "5号楼2单元拟加装电梯，费用按楼层系数分摊，请各户表决。",
        "elevator",
    ),
    ("proposal", "建议在东门空地增设停车位", "东门空地长期闲置，建议划为地面停车位，缓解夜间停车难。", "parking"),
    ("poll", "小区停车管理满意度调查", "请对小区停车管理、车位分配和收费标准进行评价。", "parking"),
    ("complaint", "电动车在楼道充电", "2单元有住户把电动车推进楼道充电，电线从窗户拉下来，很危险。", "fire_safety"),
    ("service", "居住证办理", "办理居住证需携带身份证原件、租房合同和一寸照片两张，当场受理。", "residence"),
    ("organisation", "翠园小区文明养犬志愿服务队", "倡导遛狗拴绳、及时清理宠物粪便，协助开展犬只登记。", "pets"),
    (
        "project",
        "四点半课堂公益项目",
        "为双职工家庭孩子提供放学后作业辅导和兴趣活动，每学期服务六十名学生。",
        "children",
    ),
    ("news", "网格员走访独居老人", "网格员们每周上门看望独居老人，帮助申请高龄津贴、联系家庭医生。", "grid_worker"),
    ("notice", "阳光议事会召开通知", "本周五晚七点在社区会议室召开阳光议事会，议题为小区大门改造。", "deliberation"),
    ("thread", "广场舞噪音太大了", "每天晚上广场舞音响开到最大，一直跳到十点，孩子没法写作业。", "noise"),
    ("complaint", "高空抛物差点砸到人", "8号楼有人从楼上往下扔酒瓶，碎玻璃溅了一地，差点砸到孩子。", "security"),
    ("news", "业委会换届选举顺利完成", "经过两周的投票，第四届业主委员会选举产生，七名委员当选。", "owners_committee"),
    ("event", "高血压防治健康讲座", "社区卫生服务站医生讲解高血压的日常管理和用药误区。", "health"),
    ("notice", "暴雨预警：地下车库车辆请挪车", "气象台发布暴雨红色预警，请地下车库车辆于今晚八点前挪至地面。", "flood"),
    ("thread", "物业费凭什么涨价", "物业服务没见改善，物业费却要从1.2元涨到1.5元，大家同意吗？", "property_fee"),
    (
        "project",
        "老旧小区雨污分流改造项目",
        "改造小区排水管网，实现雨水污水分流，解决雨天积水和污水倒灌。",
        "renovation",
    ),
    ("poll", "长者食堂菜品口味问卷", "请老人们对长者食堂的菜品、价格和服务打分，并提出建议。", "elderly_meals"),
)


def _fill(template: str, rng: random.Random, topic) -> str:
    return template.format(
        t=rng.choice(topic.titles),
        e=rng.choice(ESTATES),
        b=rng.choice(BUILDINGS),
        o=rng.choice(ORGANISATION_KINDS),
    )


def _generated(kind: str, n: int) -> Item:
    rng = random.Random(f"{kind}-{n}")
    topic = TOPICS[n % len(TOPICS)]
    title = _fill(rng.choice(TITLES[kind]), rng, topic)
    if kind in ("post", "complaint"):
        # A reply or a complaint is titled by what it is about, in a resident's words.
        title = rng.choice(topic.sentences).rstrip("。")[:24]
    sentences = rng.sample(topic.sentences, k=min(len(topic.sentences), rng.randint(2, 4)))
    text = rng.choice(OPENINGS[kind]) + "".join(sentences) + rng.choice(CLOSINGS[kind])
    if rng.random() < 0.3:
        text += f"地址：{rng.choice(ESTATES)}{rng.choice(BUILDINGS)}。"
    date = START + timedelta(days=rng.randint(0, 900), minutes=rng.randint(0, 600))
    return Item(f"{kind}:{n}", kind, title, text, topic.key, n % 3, date)


def build() -> list[Item]:
    items = [_generated(kind, n) for kind in KINDS for n in range(PER_KIND)]
    for i, (kind, title, text, topic) in enumerate(ANCHORS):
        date = START + timedelta(days=400 + i)
        items.append(Item(f"{kind}:a{i}", kind, title, text, topic, i % 3, date))
    return items


def anchor_key(title: str) -> str:
    for i, (kind, anchor_title, _text, _topic) in enumerate(ANCHORS):
        if anchor_title == title:
            return f"{kind}:a{i}"
    raise KeyError(title)
