"""Complaints by message: the dialogue through portal.wechat's handler registry, filed by the web form's
code path in a task that answers through the customer-service API of the WeChat stand-in."""

import pytest
from wechatpy import parse_message

from participation.complaints import wechat
from participation.complaints.demo import FIRE_LANE_ATTRIBUTES
from participation.complaints.models import Complaint, ComplaintSettings, ServiceCategory
from portal.accounts.models import ActionRule
from portal.wechat import dialogues, handlers
from portal.wechat.models import Binding
from portal.wechat.simulator import image_xml, location_event_xml, location_xml, text_xml
from portal.wechat.standin import JPEG
from tests.portal.wechat.conftest import CUSTOM

OPENID = "oResident1"


@pytest.fixture
def categories(db):
    lamp = ServiceCategory.objects.create(service_code="lamp", name="路灯损坏", keywords="路灯,照明")
    ServiceCategory.objects.create(service_code="green", name="小区绿化")
    fire = ServiceCategory.objects.create(service_code="fire", name="消防通道堵塞", attributes=FIRE_LANE_ATTRIBUTES)
    return {"lamp": lamp, "fire": fire}


@pytest.fixture
def bound(make_account, make_user):
    account = make_account()
    user = make_user("wxresident")
    Binding.objects.create(account=account, openid=OPENID, user=user)
    return account, user


def say(account, xml):
    return handlers.dispatch(account, parse_message(xml))


def text(account, content, openid=OPENID):
    return say(account, text_xml(content, openid=openid))


def test_a_bound_follower_files_a_complaint_with_a_photo(
    bound,
    categories,
    standin,
    django_capture_on_commit_callbacks,
):
    account, user = bound
    standin.media["MEDIA-1"] = JPEG
    asked = text(account, "投诉 小区门口的路灯坏了")
    assert asked.splitlines()[1] == "1. 路灯损坏"  # the category matching the description comes first
    assert "位置" in text(account, "1")
    assert "照片" in text(account, "东门口")
    summary = say(account, image_xml("MEDIA-1", openid=OPENID))
    assert "小区门口的路灯坏了" in summary and "路灯损坏" in summary and "东门口" in summary
    assert not Complaint.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert text(account, "1")
    complaint = Complaint.objects.get()
    assert (complaint.community, complaint.reporter) == (account.community, user)
    assert complaint.category == categories["lamp"]
    assert complaint.description == "小区门口的路灯坏了" and complaint.address == "东门口"
    assert complaint.photos.count() == 1
    (sent,) = standin.sent(CUSTOM)
    assert sent["touser"] == OPENID and f"#{complaint.pk}" in sent["text"]["content"]
    assert str(complaint.reference)[:8] in sent["text"]["content"]
    assert dialogues.load(account, OPENID) is None  # the dialogue is over


def test_an_unbound_follower_is_asked_to_bind_first(make_account, categories):
    account = make_account()
    answer = text(account, "报事 路灯坏了", openid="oStranger")
    assert "/wechat-auth/login/" in answer and "a1.localhost" in answer
    assert dialogues.load(account, "oStranger") is None


def test_the_one_decision_refuses_as_on_the_site(bound, categories):
    account, _user = bound
    ActionRule.objects.create(community=account.community, action="complaints.submit", requirement="verified")
    answer = text(account, "投诉 路灯坏了")
    assert "1." not in answer and answer  # the decision's reason, no category list
    assert dialogues.load(account, OPENID) is None


def test_the_start_words_are_the_communitys(bound, categories):
    account, _user = bound
    assert wechat.start_words(account.community) == ["投诉", "报事", "反映"]  # the default; loads the map
    ComplaintSettings.objects.create(community=account.community, wechat_words="我有话说")  # renews the map
    assert wechat.handle(account, parse_message(text_xml("投诉 路灯坏了", openid=OPENID))) is None
    assert "1. 路灯损坏" in text(account, "我有话说 路灯坏了")


def test_the_dialogue_asks_the_citys_questions_and_takes_a_location(
    bound,
    categories,
    standin,
    django_capture_on_commit_callbacks,
):
    account, _user = bound
    text(account, "反映")  # no description yet
    offered = text(account, "消防通道被车堵了")
    number = next(line.split(".")[0] for line in offered.splitlines() if "消防通道堵塞" in line)
    assert "占用物" in text(account, number)
    assert text(account, "9").startswith("请")  # not one of the listed answers: asked again
    assert "数量" in text(account, "1")  # 机动车
    assert "位置" in text(account, "跳过")
    assert "照片" in say(account, location_xml(30.59, 114.31, "翠园小区3幢", openid=OPENID))
    with django_capture_on_commit_callbacks(execute=True):
        text(account, "跳过")
        text(account, "确认")
    complaint = Complaint.objects.get()
    assert complaint.attributes == {"occupant": "car"}
    assert complaint.address == "翠园小区3幢" and complaint.latitude is not None  # converted from GCJ-02


def test_a_location_event_fills_the_place(bound, categories):
    account, _user = bound
    text(account, "投诉 路灯坏了")
    text(account, "1")
    assert "照片" in say(account, location_event_xml(30.59, 114.31, openid=OPENID))
    assert dialogues.load(account, OPENID)["latitude"] == 30.59


def test_cancel_and_timeout_end_the_dialogue(bound, categories, monkeypatch, settings):
    account, _user = bound
    text(account, "投诉 路灯坏了")
    assert "取消" in text(account, "取消") and dialogues.load(account, OPENID) is None
    text(account, "投诉 路灯坏了")
    assert dialogues.load(account, OPENID)["step"] == "category"
    later = dialogues.time.time() + settings.WECHAT_DIALOGUE_SECONDS + 1
    monkeypatch.setattr(dialogues.time, "time", lambda: later)
    assert dialogues.load(account, OPENID) is None
    assert wechat.handle(account, parse_message(text_xml("1", openid=OPENID))) is None  # left to the others
