"""The whole chain of issue 14, over real HTTP: WeChat's server (wechatpy's own crypto, safe mode) posts a
bound follower's messages to the callback; the complaint is filed in the right community; the reference
goes out through the customer-service API of the stand-in; a worker changes the status, and exactly one
template message follows."""

import json
import re

import pytest

from communities.regions.boundaries import rectangle
from communities.regions.scoping import communities_for
from participation.complaints import cases
from participation.complaints.geo import wgs84_to_gcj02
from participation.complaints.models import CaseState, Complaint, ServiceCategory
from portal.wechat import dialogues
from portal.wechat.models import Account, Binding, MessageTemplate
from portal.wechat.simulator import location_xml, text_xml
from tests.portal.wechat.conftest import CUSTOM

TEMPLATE_SEND = "/cgi-bin/message/template/send"
OPENID = "oChainResident"


def test_a_complaint_by_message_from_first_word_to_template_message(
    make_account,
    wechat_server,
    standin,
    make_user,
    city,
):
    ServiceCategory.objects.create(service_code="lamp", name="路灯损坏", keywords="路灯")
    ServiceCategory.objects.create(service_code="green", name="小区绿化")
    account = make_account("b1", kind=Account.Kind.SERVICE, mode=Account.Mode.SAFE)
    make_account("a1", app_id="wx00000000000000a1")  # another community's account: not involved
    MessageTemplate.objects.create(
        account=account, event="complaint", template_id="TPL-1", fields={"thing1": "{title}", "time2": "{time}"}
    )
    resident = make_user("chainresident")
    Binding.objects.create(account=account, openid=OPENID, user=resident)
    worker = make_user("b1worker")
    worker.groups.add(city["b1"].editors_group)
    server = wechat_server(account)

    def say(words):
        response = server.post_encrypted(text_xml(words, openid=OPENID))
        assert response.status_code == 200
        return server.decrypt_reply(response)["Content"] if response.text != "success" else ""

    assert "1. 路灯损坏" in say("投诉 小区门口的路灯坏了")
    assert "位置" in say("1")
    assert "照片" in say("小区东门口")
    assert "小区门口的路灯坏了" in say("跳过")
    assert say("1")  # "filing…": the task files it and answers through the API

    complaint = Complaint.objects.get()
    assert complaint.community == city["b1"] and complaint.reporter == resident
    assert complaint.state == CaseState.SUBMITTED
    assert communities_for(worker).filter(pk=complaint.community_id).exists()  # its workers see it
    (confirmation,) = standin.sent(CUSTOM)
    assert confirmation["touser"] == OPENID and f"#{complaint.pk}" in confirmation["text"]["content"]
    assert standin.sent(TEMPLATE_SEND) == []

    cases.accept(complaint, worker)
    (template,) = standin.sent(TEMPLATE_SEND)
    assert template["touser"] == OPENID and template["template_id"] == "TPL-1"
    assert f"#{complaint.pk}" in template["data"]["thing1"]["value"]
    assert template["url"].startswith("http://b1.localhost") and str(complaint.reference) in template["url"]


def test_a_shared_location_puts_the_complaint_on_the_map(make_account, wechat_server, standin, make_user, city, client):
    """WeChat sends a location in GCJ-02: a malformed one or one outside the community is answered at once (the
    dialogue waits for another place); one inside files the complaint with its WGS84 point, which the map shows."""
    ServiceCategory.objects.create(service_code="lamp", name="路灯损坏", keywords="路灯")
    b1 = city["b1"]
    b1.boundary = rectangle(114.30, 30.58, 114.32, 30.60)
    b1.save(update_fields=["boundary"])
    account = make_account("b1", kind=Account.Kind.SERVICE, mode=Account.Mode.SAFE)
    Binding.objects.create(account=account, openid=OPENID, user=make_user("chainresident"))
    server = wechat_server(account)

    def send(xml):
        response = server.post_encrypted(xml)
        assert response.status_code == 200
        return server.decrypt_reply(response)["Content"]

    def located(lat, lon, label="东门路灯"):
        gcj_lat, gcj_lon = wgs84_to_gcj02(lat, lon)
        return location_xml(round(gcj_lat, 6), round(gcj_lon, 6), label, openid=OPENID)

    assert "1. 路灯损坏" in send(text_xml("投诉 路灯坏了", openid=OPENID))
    assert "位置" in send(text_xml("1", openid=OPENID))
    assert "无法读取该位置" in send(location_xml("abc", "114.31", "东门", openid=OPENID))
    assert "社区b1" in send(located(30.59, 114.40))  # in the city, not in b1
    assert "城市范围" in send(located(31.22, 121.45))  # not in the city
    assert dialogues.load(account, OPENID)["step"] == "place"  # still asking for the place
    assert "照片" in send(located(30.59, 114.31))
    assert "路灯坏了" in send(text_xml("跳过", openid=OPENID))
    assert send(text_xml("1", openid=OPENID))

    complaint = Complaint.objects.get()
    assert complaint.community == b1 and complaint.address == "东门路灯"
    assert float(complaint.latitude) == pytest.approx(30.59, abs=1e-5)
    assert float(complaint.longitude) == pytest.approx(114.31, abs=1e-5)

    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    page = client.get("/admin/insights/map/").content.decode()
    data = json.loads(re.search(r'id="insights-map-data" type="application/json">(.*?)</script>', page, re.S)[1])
    (complaints,) = [layer for layer in data["layers"] if layer["key"] == "complaints"]
    assert [p[:2] for p in complaints["points"]] == [[float(complaint.latitude), float(complaint.longitude)]]
