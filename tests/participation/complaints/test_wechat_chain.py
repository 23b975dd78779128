"""The whole chain of issue 14, over real HTTP: WeChat's server (wechatpy's own crypto, safe mode) posts a
bound follower's messages to the callback; the complaint is filed in the right community; the reference
goes out through the customer-service API of the stand-in; a worker changes the status, and exactly one
template message follows."""

from communities.regions.scoping import communities_for
from participation.complaints import cases
from participation.complaints.models import CaseState, Complaint, ServiceCategory
from portal.wechat.models import Account, Binding, MessageTemplate
from portal.wechat.simulator import text_xml
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
