"""Residents' pages on a community's own site: the form, one's own complaint, the rating, 反光镜."""

import pytest

from communities.regions.boundaries import rectangle
from communities.regions.models import Community
from communities.regions.provisioning import provision_community
from participation.complaints import cases
from participation.complaints.geo import wgs84_to_gcj02
from participation.complaints.models import CaseState, Complaint, ComplaintSettings

BOX = rectangle(114.30, 30.58, 114.312, 30.60)  # a1's region boundary (west, south, east, north)


@pytest.fixture
def a1_settings(city):
    Community.objects.filter(pk=city["a1"].pk).update(boundary=BOX)
    return ComplaintSettings.objects.create(community=city["a1"])


def form_data(categories, **overrides):
    data = {
        "kind": "hazard",
        "category": categories["noise"].pk,
        "description": "井盖缺失，夜里很危险。",
        "address": "甲街道3号楼前",
        "latitude": "",
        "longitude": "",
        "coordinate_system": "wgs84",
        "public": "on",
        "contact_preference": "site",
        "contact_phone": "",
    }
    data.update(overrides)
    return data


def test_a_resident_submits_and_follows_the_complaint(host_client, make_user, categories, a1_settings):
    resident = make_user()
    client = host_client("a1.localhost", resident)
    response = client.post("/complaints/new/", form_data(categories, latitude="30.59", longitude="114.305"))
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/complaints/{complaint.reference}/"
    assert complaint.community.slug == "a1" and complaint.reporter == resident
    assert complaint.state == CaseState.SUBMITTED
    assert str(complaint.latitude) == "30.590000"
    page = client.get(response["Location"])
    assert "井盖缺失" in page.text


def test_the_form_asks_for_a_login_unless_anonymous_is_allowed(host_client, categories, a1_settings):
    anonymous = host_client("a1.localhost")
    assert anonymous.get("/complaints/new/")["Location"].startswith("/accounts/login/")
    a1_settings.allow_anonymous = True
    a1_settings.save()
    response = anonymous.post("/complaints/new/", form_data(categories))
    complaint = Complaint.objects.get()
    assert complaint.reporter is None
    assert anonymous.get(response["Location"]).status_code == 200, "the submitting browser may follow it"
    assert host_client("a1.localhost").get(response["Location"]).status_code == 404, "nobody else may"


def test_the_form_lives_only_on_community_sites(host_client, make_user, city):
    assert host_client("localhost", make_user()).get("/complaints/new/").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"category": ""}, "category", "Choose a category."),
        ({"description": "长" * 4001}, "description", "4000"),
        ({"latitude": "39.9", "longitude": "116.4"}, "latitude", "outside"),
        ({"latitude": "30.59"}, "latitude", "both"),
        ({"latitude": "30.59", "longitude": "114.33"}, "latitude", "outside 社区a1"),  # in the city, not in a1
        ({"latitude": "nan", "longitude": "114.305"}, "latitude", "number"),
        ({"contact_preference": "phone"}, "contact_phone", "phone"),
        ({"contact_phone": "12345"}, "contact_phone", "11-digit"),
    ],
)
def test_bad_input_gets_a_clear_error_and_keeps_what_was_typed(
    host_client, make_user, categories, a1_settings, overrides, field, message, settings
):
    settings.LANGUAGE_CODE = "en"
    client = host_client("a1.localhost", make_user())
    data = form_data(categories, **overrides)
    response = client.post("/complaints/new/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert Complaint.objects.count() == 0
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert "甲街道3号楼前" in response.text, "the address typed is kept"
    if field != "description":
        assert "井盖缺失，夜里很危险。" in response.text


def test_a_gcj02_point_is_converted_before_the_boundary_check(host_client, make_user, categories, a1_settings):
    gcj_lat, gcj_lon = wgs84_to_gcj02(30.5995, 114.31)  # inside the box in WGS84, outside once offset
    client = host_client("a1.localhost", make_user())
    data = form_data(categories, latitude=f"{gcj_lat:.7f}", longitude=f"{gcj_lon:.7f}", coordinate_system="gcj02")
    assert client.post("/complaints/new/", data).status_code == 302
    complaint = Complaint.objects.get()
    assert float(complaint.latitude) == pytest.approx(30.5995, abs=2e-6)
    assert float(complaint.longitude) == pytest.approx(114.31, abs=2e-6)


def test_without_a_region_boundary_a_point_must_be_in_the_city(host_client, make_user, categories, city, settings):
    """The one boundary is the region's (Community.boundary); a community without one takes the city's box."""
    settings.LANGUAGE_CODE = "en"
    client = host_client("a1.localhost", make_user())
    far = client.post("/complaints/new/", form_data(categories, latitude="31.22", longitude="121.45"))
    assert far.status_code == 200 and "outside the city" in " ".join(far.context["form"].errors["latitude"])
    assert client.post("/complaints/new/", form_data(categories, latitude="30.7", longitude="114.9")).status_code == 302
    assert str(Complaint.objects.get().longitude) == "114.900000"


def test_hidden_and_retired_categories_are_not_offered(host_client, make_user, categories, a1_settings):
    a1_settings.hidden_categories.add(categories["road"])
    categories["local"].retired = True
    categories["local"].save()
    client = host_client("a1.localhost", make_user())
    response = client.post("/complaints/new/", form_data(categories, category=categories["road"].pk))
    assert "category" in response.context["form"].errors
    offered = set(response.context["form"].fields["category"].queryset)
    assert offered == {categories["noise"]}


def test_not_satisfied_reopens_and_satisfied_evaluates(host_client, new_complaint, make_user):
    complaint = new_complaint()
    worker = make_user()
    cases.settle_locally(complaint, worker, "已联系物业修复。")
    client = host_client("a1.localhost", complaint.reporter)
    page = client.get(f"/complaints/{complaint.reference}/")
    assert "已联系物业修复。" in page.text and 'name="rating"' in page.text

    client.post(f"/complaints/{complaint.reference}/rate/", {"rating": "not_satisfied", "comment": "还没修好"})
    complaint.refresh_from_db()
    assert complaint.state == CaseState.REOPENED and complaint.rating == "not_satisfied"

    cases.settle_locally(complaint, worker, "已再次维修。")
    client.post(f"/complaints/{complaint.reference}/rate/", {"rating": "satisfied"})
    complaint.refresh_from_db()
    assert complaint.state == CaseState.EVALUATED
    assert client.post(f"/complaints/{complaint.reference}/rate/", {"rating": "satisfied"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == CaseState.EVALUATED


def test_others_cannot_see_or_rate_a_complaint(host_client, new_complaint, make_user):
    complaint = new_complaint()
    stranger = host_client("a1.localhost", make_user())
    assert stranger.get(f"/complaints/{complaint.reference}/").status_code == 404
    assert stranger.post(f"/complaints/{complaint.reference}/rate/", {"rating": "satisfied"}).status_code == 404
    other_site = host_client("b1.localhost", complaint.reporter)
    assert other_site.get(f"/complaints/{complaint.reference}/").status_code == 404


def test_internal_notes_stay_off_the_residents_page(host_client, new_complaint, make_user):
    complaint = new_complaint()
    cases.add_note(complaint, make_user(), "内部：疑似重复投诉")
    page = host_client("a1.localhost", complaint.reporter).get(f"/complaints/{complaint.reference}/")
    assert "疑似重复投诉" not in page.text


def test_mirror_lists_public_complaints_masked_with_stats(host_client, new_complaint, make_user, categories, city):
    worker = make_user()
    shown = new_complaint(description="电话13812345678，身份证110101199003071234，楼道堆物。")
    cases.settle_locally(shown, worker, "请联系王师傅 13900001111。")
    private = new_complaint(public=False, description="私人纠纷")
    cases.accept(private, worker)
    waiting = new_complaint(description="尚未受理的投诉")
    other_street = new_complaint(community="c1", description="丙街道的问题")
    cases.accept(other_street, worker)

    page = host_client("a1.localhost").get("/mirror/")
    assert page.status_code == 200
    text = page.text
    assert "楼道堆物" in text
    assert "13812345678" not in text and "138****5678" in text
    assert "110101199003071234" not in text
    assert "13900001111" not in text and "139****1111" in text
    assert "私人纠纷" not in text and "尚未受理的投诉" not in text and "丙街道的问题" not in text
    stats = list(page.context["stats"])
    assert stats[0]["category__name"] == "噪音扰民" and stats[0]["total"] == 1 and stats[0]["finished"] == 1
    assert stats[0]["average"] is not None
    assert waiting.reporter.username not in text


def test_mirror_filters_by_category_and_status(host_client, new_complaint, make_user, categories):
    worker = make_user()
    noise = new_complaint(description="噪音问题")
    cases.accept(noise, worker)
    road = new_complaint(category=categories["road"], description="道路问题")
    cases.settle_locally(road, worker, "已修")
    client = host_client("a1.localhost")
    by_category = client.get("/mirror/", {"category": categories["road"].pk}).text
    assert "道路问题" in by_category and "噪音问题" not in by_category
    by_status = client.get("/mirror/", {"status": "accepted"}).text
    assert "噪音问题" in by_status and "道路问题" not in by_status


def test_street_mirror_combines_its_communities(host_client, make_user, new_complaint):
    a2 = provision_community("社区a2", "a2", "street-a").obj
    worker = make_user()
    made = {slug: new_complaint(community=slug, description=f"{slug}社区的事") for slug in ("a1", "b1")}
    made["a2"] = new_complaint(description="a2社区的事")
    Complaint.objects.filter(pk=made["a2"].pk).update(community=a2)
    for complaint in made.values():
        cases.accept(complaint, worker)
    page = host_client("localhost").get("/mirror/street/street-a/").text
    assert "a1社区的事" in page and "a2社区的事" in page and "b1社区的事" not in page


def test_public_timeline_lines_are_announced_after_commit(new_complaint, make_user, django_capture_on_commit_callbacks):
    from participation.complaints.signals import timeline_changed

    seen = []

    def receiver(sender, complaint, event, **kwargs):
        seen.append((complaint.pk, event.kind, event.to_state))

    timeline_changed.connect(receiver)
    try:
        complaint, worker = new_complaint(), make_user()
        with django_capture_on_commit_callbacks(execute=True):
            cases.accept(complaint, worker)
            cases.add_note(complaint, worker, "内部备注")
            cases.add_note(complaint, worker, "已转物业", public=True)
    finally:
        timeline_changed.disconnect(receiver)
    assert seen == [(complaint.pk, "state", "accepted"), (complaint.pk, "reply", "")]


def test_the_residents_page_speaks_chinese_by_default(host_client, new_complaint, make_user):
    complaint = new_complaint()
    cases.accept(complaint, make_user())
    page = host_client("a1.localhost", complaint.reporter).get(f"/complaints/{complaint.reference}/")
    assert "已受理" in page.text and "您反映的内容" in page.text
