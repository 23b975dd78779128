"""Verifying a membership (issue 19): the worker sees the applicant (masked, reveal with a reason,
the visit logged), building, home and evidence; the resident is told of the decision and its reason."""

from portal.accounts.membership import apply_for_membership
from portal.audit.models import AuditEntry
from portal.notifications.models import Notification

from .conftest import make_id_number

PHONE = "13800138000"


def applicant(city, buildings, resident):
    return apply_for_membership(
        resident(PHONE, "阿甲"),
        city["a1"],
        buildings["a1-1"],
        "1",
        "1203",
        real_name="张三丰",
        id_number=make_id_number(),
    )


def test_the_decision_page_shows_the_applicant_masked_and_logs_the_visit(
    city, buildings, resident, worker_of, host_client
):
    m = applicant(city, buildings, resident)
    worker = worker_of(city["a1"])
    html = host_client("localhost", worker).get(f"/admin/memberships/edit/{m.pk}/").content.decode()
    section = html.split('class="nice-padding applicant"')[1].split("</section>")[0]
    for shown in ("阿甲", "张**", "138****8000", buildings["a1-1"].name, m.masked_address, m.id_masked):
        assert shown in section, shown
    for hidden in (PHONE, "张三丰", "1203", make_id_number()):
        assert hidden not in html, hidden
    assert f'href="/admin/memberships/{m.pk}/reveal/"' in section
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.subject, entry.what) == (worker, m.user, "view membership for verification (masked)")


def test_the_decision_page_names_the_household_already_verified(city, buildings, resident, worker_of, host_client):
    first = applicant(city, buildings, resident)
    first.status = "verified"
    first.save()
    second = apply_for_membership(resident("13900139000", "阿乙"), city["a1"], buildings["a1-1"], "1", "1203")
    html = host_client("localhost", worker_of(city["a1"])).get(f"/admin/memberships/edit/{second.pk}/").content
    assert "张**" in html.decode()


def test_the_resident_is_told_when_verified_or_refused_with_the_reason(
    city, buildings, resident, worker_of, host_client
):
    m = applicant(city, buildings, resident)
    client = host_client("localhost", worker_of(city["a1"]))
    url = f"/admin/memberships/edit/{m.pk}/"
    assert client.post(url, {"status": "rejected", "reason": "门牌号与登记不符"}).status_code == 302
    refused = Notification.objects.get(recipient=m.user)
    assert refused.verb == "membership.rejected" and "门牌号与登记不符" in refused.text and "社区a1" in refused.text
    assert refused.url == "http://a1.localhost/accounts/me/"
    assert client.post(url, {"status": "verified", "reason": ""}).status_code == 302
    verified = Notification.objects.filter(recipient=m.user, verb="membership.verified").get()
    assert "is verified" in verified.text  # this folder runs with LANGUAGE_CODE = "en" (see conftest)
    # saving again without changing the status tells nobody anything
    assert client.post(url, {"status": "verified", "reason": "", "is_homeowner": "on"}).status_code == 302
    assert Notification.objects.filter(recipient=m.user).count() == 2
    assert client.post(url, {"status": "revoked", "reason": "已搬离"}).status_code == 302
    assert "已搬离" in Notification.objects.get(recipient=m.user, verb="membership.revoked").text
    # the resident sees it in the header's count and the list
    page = host_client("a1.localhost", m.user).get("/notifications/").content.decode()
    assert "门牌号与登记不符" in page and "已搬离" in page
