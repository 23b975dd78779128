from datetime import timedelta

import pytest
from django.utils import timezone

from participation.polls.models import PollIndexPage, PollPage


def q(kind, key, text, **extra):
    value = {"key": key, "text": text, "help": "", "required": True, "show_if_key": "", "show_if_values": ""}
    value.update(extra)
    return {"type": kind, "value": value}


QUESTIONS = [
    q("single_choice", "lift", "是否同意加装电梯？", choices=["同意", "不同意"]),
    q("short_text", "why", "不同意的理由", show_if_key="lift", show_if_values="不同意", max_length=50),
    q(
        "multiple_choice",
        "times",
        "方便参加议事会的时间",
        choices=["周一晚", "周三晚", "周六上午"],
        min_choices=1,
        max_choices=2,
    ),
    q("ranking", "priority", "请排序改造优先级", choices=["停车", "绿化", "照明"]),
    q("rating", "service", "对社区服务的满意度", scale_min=1, scale_max=5, low_label="很不满意", high_label="很满意"),
    q("matrix", "facilities", "各项设施评价", rows=["健身器材", "垃圾站"], choices=["好", "一般", "差"]),
    q("long_text", "ideas", "其他建议", required=False, max_length=500),
]

VALID_ANSWERS = {
    "lift": "同意",
    "times": ["周一晚", "周六上午"],
    "priority__0": "2",
    "priority__1": "1",
    "priority__2": "3",
    "service": "4",
    "facilities__0": "好",
    "facilities__1": "差",
    "ideas": "希望增加长椅",
}


@pytest.fixture
def make_poll(city):
    def make(community="a1", **fields):
        home = city[community].root_page.specific
        index = home.get_children().type(PollIndexPage).first().specific
        now = timezone.now()
        defaults = {
            "title": "加装电梯意见征集",
            "slug": f"poll-{PollPage.objects.count() + 1}",
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(days=7),
            "audience": PollPage.Audience.LOGGED_IN,
            "results_visibility": PollPage.ResultsVisibility.LIVE,
            "questions": QUESTIONS,
        }
        defaults.update(fields)
        poll = PollPage(**defaults)
        index.add_child(instance=poll)
        return poll

    return make


@pytest.fixture
def resident(make_user):
    return make_user(display_name="李大爷")
