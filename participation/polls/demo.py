"""A demo poll for the demo city: every kind of question, open for a month."""

from datetime import timedelta

from django.utils import timezone

from .models import PollIndexPage, PollPage


def q(kind, key, text, **extra):
    value = {"key": key, "text": text, "help": "", "required": True, "show_if_key": "", "show_if_values": ""}
    value.update(extra)
    return {"type": kind, "value": value}


def seed_demo_poll(community) -> PollPage:
    index = PollIndexPage.objects.child_of(community.root_page).get()
    now = timezone.now()
    poll = PollPage(
        title="2026年社区服务满意度调查",
        slug="satisfaction-2026",
        description="<p>您的意见将用于改进明年的社区服务，约需3分钟。</p>",
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=30),
        audience=PollPage.Audience.ANYONE,
        results_visibility=PollPage.ResultsVisibility.LIVE,
        questions=[
            q(
                "rating",
                "service",
                "您对社区服务的总体满意度",
                scale_min=1,
                scale_max=5,
                low_label="很不满意",
                high_label="很满意",
            ),
            q("single_choice", "elder_canteen", "您是否使用过长者食堂？", choices=["是", "否"]),
            q(
                "rating",
                "canteen",
                "您对长者食堂的评价",
                show_if_key="elder_canteen",
                show_if_values="是",
                scale_min=1,
                scale_max=5,
            ),
            q(
                "multiple_choice",
                "wanted",
                "您最希望增加的服务（最多选2项）",
                choices=["助餐配送", "健康讲座", "儿童托管", "法律咨询"],
                min_choices=1,
                max_choices=2,
            ),
            q("ranking", "priority", "请为以下改造项目排序", choices=["停车位", "绿化", "夜间照明"]),
            q("matrix", "facilities", "各项设施评价", rows=["健身器材", "垃圾分类站"], choices=["好", "一般", "差"]),
            q("long_text", "ideas", "其他意见和建议", required=False, max_length=500),
        ],
    )
    poll.first_published_at = poll.last_published_at = now
    index.add_child(instance=poll)
    return poll
