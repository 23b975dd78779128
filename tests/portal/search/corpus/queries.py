"""Queries residents type, and what each must find.

`relevant` says which items answer the query; `first` which items may come first. Topical queries
("停车") are answered by every item of their topic, and should open with an item that names the
subject in its title; known-item queries ("3号楼路灯坏了") are answered by the one item a resident
is looking for. Full-width, traditional-character and mixed Chinese/English/digit forms are here too.
"""

from collections.abc import Callable
from dataclasses import dataclass

from .build import Item, anchor_key


@dataclass(frozen=True)
class Query:
    text: str
    relevant: Callable[[Item], bool]
    first: Callable[[Item], bool]


def topic(*keys):
    return lambda item: item.topic in keys


def title_has(*words):
    return lambda item: any(w.lower() in item.title.lower() for w in words)


def mentions(*words):
    return lambda item: any(w.lower() in (item.title + item.text).lower() for w in words)


def anchors(*titles):
    keys = {anchor_key(t) for t in titles}
    return lambda item: item.key in keys


def topical(text, topic_key, *title_words):
    return Query(text, topic(topic_key), title_has(*(title_words or (text,))))


def known(text, *titles):
    return Query(text, anchors(*titles), anchors(*titles))


QUERIES = (
    # Subjects, as a resident names them.
    topical("垃圾分类", "garbage"),
    topical("停车", "parking"),
    topical("停车位", "parking"),
    topical("停车难", "parking"),
    topical("加装电梯", "elevator"),
    topical("WiFi", "wifi"),
    topical("长者食堂", "elderly_meals"),
    topical("网格员", "grid_worker"),
    topical("阳光议事", "deliberation"),
    topical("物业费", "property_fee"),
    topical("业委会", "owners_committee", "业委会", "业主委员会"),
    Query("消防通道", mentions("消防通道"), title_has("消防通道")),
    topical("电动车充电", "fire_safety", "电动车充电"),
    topical("噪音", "noise"),
    Query("广场舞", mentions("广场舞"), title_has("广场舞")),
    topical("停水", "water"),
    topical("水箱清洗", "water"),
    Query("遛狗", mentions("遛狗"), title_has("遛狗")),
    topical("四点半课堂", "children"),
    topical("义诊", "health"),
    topical("居住证", "residence"),
    topical("快递柜", "express"),
    topical("防汛", "flood"),
    topical("暴雨", "flood", "暴雨"),
    topical("路灯", "road_lights"),
    Query("志愿者", mentions("志愿者"), title_has("志愿")),
    topical("老旧小区改造", "renovation"),
    topical("门禁", "security"),
    topical("暖气", "heating"),
    topical("招聘会", "employment"),
    topical("邻里节", "culture"),
    topical("绿化", "greening"),
    # Digits with Chinese; full-width and half-width; traditional characters; English in any case.
    Query("3号楼", mentions("3号楼"), title_has("3号楼")),
    Query("３号楼", mentions("3号楼"), title_has("3号楼")),
    topical("ＷｉＦｉ", "wifi", "WiFi"),
    topical("wifi", "wifi", "WiFi"),
    topical("垃圾分類", "garbage", "垃圾分类"),
    topical("停車位", "parking", "停车位"),
    topical("長者食堂", "elderly_meals", "长者食堂"),
    topical("小区停车难怎么办", "parking", "停车"),
    # Known items.
    known("小区垃圾分类做得不好", "小区的垃圾分类做得不好"),
    known("3号楼路灯坏了", "3号楼门口的路灯坏了一个月"),
    known("3号楼地下室积水", "3号楼地下室积水发臭"),
    known("WiFi密码", "社区服务中心WiFi密码更换通知", "活动室的WiFi连不上"),
    known("长者食堂开饭时间调整", "长者食堂开饭时间调整"),
    known("加装电梯费用分摊", "关于加装电梯费用分摊的议题"),
    known("东门空地停车位", "建议在东门空地增设停车位"),
    known("停车管理满意度调查", "小区停车管理满意度调查"),
    known("楼道电动车充电", "电动车在楼道充电"),
    known("文明养犬志愿服务队", "翠园小区文明养犬志愿服务队"),
    known("四点半课堂公益项目", "四点半课堂公益项目"),
    known("网格员走访独居老人", "网格员走访独居老人"),
    known("高空抛物砸到人", "高空抛物差点砸到人"),
    known("业委会换届选举完成", "业委会换届选举顺利完成"),
    known("高血压健康讲座", "高血压防治健康讲座"),
    known("地下车库挪车", "暴雨预警：地下车库车辆请挪车"),
    known("物业费凭什么涨价", "物业费凭什么涨价"),
    known("雨污分流改造项目", "老旧小区雨污分流改造项目"),
    known("长者食堂菜品口味", "长者食堂菜品口味问卷"),
    known("智能手机培训班", "老年人智能手机培训班"),
    known("廣場舞噪音太大", "广场舞噪音太大了"),
)
