"""A category's service attributes: synced from the city, asked by the form, validated once, sent."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from participation.complaints import attributes, catalogue, delivery
from participation.complaints.conf import default_endpoint
from participation.complaints.models import Complaint, Outbox, ServiceCategory

from .open311_server import FIRE_LANE, FIRE_LANE_ATTRIBUTES
from .test_pages import form_data


@pytest.fixture
def strict_city(fake_city, point_at):
    """A city that lists 消防通道堵塞 with a required 占用物 and refuses a request without it."""
    server = fake_city()
    server.services.append(FIRE_LANE)
    server.definitions["fire_lane"] = FIRE_LANE_ATTRIBUTES
    server.strict = True
    point_at(server)
    return server


@pytest.fixture
def fire_lane(strict_city, categories):
    catalogue.sync_services(default_endpoint())
    return ServiceCategory.objects.get(service_code="fire_lane")


def test_the_catalogue_sync_stores_the_attributes(fire_lane):
    assert [a["code"] for a in fire_lane.attributes] == ["occupant", "count", "hours", "notice"]
    asked = attributes.definitions(fire_lane)
    assert [a.code for a in asked] == ["occupant", "count", "hours"], "variable=false is not asked"
    occupant = asked[0]
    assert occupant.required and occupant.datatype == "singlevaluelist" and occupant.description == "占用物"
    assert occupant.choices == (("car", "机动车"), ("goods", "杂物"), ("stall", "摊位"))


VALID = [
    ("string", "东门", "东门"),
    ("text", "很长的说明", "很长的说明"),
    ("number", " 2.5 ", "2.5"),
    ("datetime", "2026-12-03 14:30", "2026-12-03T14:30:00"),
    ("singlevaluelist", "car", "car"),
    ("multivaluelist", ["night", "day", "night"], ["night", "day"]),
]
INVALID = [
    ("string", "长" * 201),
    ("text", "长" * 2001),
    ("number", "三"),
    ("number", "NaN"),
    ("datetime", "昨天"),
    ("singlevaluelist", "boat"),
    ("multivaluelist", ["day", "boat"]),
]
CHOICES = (("car", "机动车"), ("day", "白天"), ("night", "夜间"))


@pytest.mark.parametrize("datatype,raw,value", VALID)
def test_each_datatype_is_validated(datatype, raw, value):
    attribute = attributes.Attribute("x", datatype, True, "问题", choices=CHOICES)
    assert attributes.clean_value(attribute, raw) == value


@pytest.mark.parametrize("datatype,raw", INVALID)
def test_bad_answers_are_refused_with_a_reason(datatype, raw):
    attribute = attributes.Attribute("x", datatype, False, "问题", choices=CHOICES)
    with pytest.raises(ValidationError):
        attributes.clean_value(attribute, raw)


@pytest.mark.parametrize("datatype", attributes.DATATYPES)
def test_a_required_answer_may_not_be_empty_and_an_optional_one_may(datatype):
    with pytest.raises(ValidationError):
        attributes.clean_value(attributes.Attribute("x", datatype, True, "问题", choices=CHOICES), "")
    assert attributes.clean_value(attributes.Attribute("x", datatype, False, "问题", choices=CHOICES), "") is None


def test_validate_answers_a_whole_category(fire_lane):
    values, errors = attributes.validate(fire_lane, {"count": "x", "hours": ["day"], "notice": "ignored"})
    assert values == {"hours": ["day"]}
    assert set(errors) == {"occupant", "count"}
    values, errors = attributes.validate(fire_lane, {"occupant": "car", "count": "2"})
    assert (values, errors) == ({"occupant": "car", "count": "2"}, {})


def test_the_form_asks_the_chosen_categorys_questions(host_client, make_user, city, fire_lane, categories):
    client = host_client("a1.localhost", make_user())
    page = client.get("/complaints/new/")
    assert page.status_code == 200
    field = f"attribute_{fire_lane.pk}_occupant"
    assert f'data-category="{fire_lane.pk}"' in page.text and f'name="{field}"' in page.text
    assert "占用物" in page.text and "机动车" in page.text and "complaint-attributes.js" in page.text

    missing = client.post("/complaints/new/", form_data(categories, category=fire_lane.pk))
    assert missing.status_code == 200 and not Complaint.objects.exists()
    assert missing.context["form"].errors[field]
    wrong = client.post("/complaints/new/", form_data(categories, category=fire_lane.pk, **{field: "boat"}))
    assert wrong.status_code == 200 and wrong.context["form"].errors[field]

    answers = {field: "goods", f"attribute_{fire_lane.pk}_hours": ["day", "night"]}
    done = client.post("/complaints/new/", form_data(categories, category=fire_lane.pk, **answers))
    assert done.status_code == 302
    assert Complaint.objects.get().attributes == {"occupant": "goods", "hours": ["day", "night"]}


def test_another_categorys_questions_do_not_count(host_client, make_user, city, fire_lane, categories):
    client = host_client("a1.localhost", make_user())
    data = form_data(categories, **{f"attribute_{fire_lane.pk}_occupant": "boat"})  # left over in the form
    assert client.post("/complaints/new/", data).status_code == 302
    assert Complaint.objects.get().attributes == {}


def test_delivery_sends_the_answers_and_a_strict_city_accepts(strict_city, fire_lane, escalated):
    now = timezone.now()
    answers = {"occupant": "car", "hours": ["day", "night"]}
    complaint, outbox = escalated(now=now, category=fire_lane, attributes=answers)
    assert delivery.process_due(now=now) == {"delivered": 1}
    fields = strict_city.posts[-1]["fields"]
    assert fields["attribute[occupant]"] == "car"
    assert fields["attribute[hours][]"] == ["day", "night"]
    assert fields["attribute[portal_id]"] == complaint.portal_id


def test_a_strict_city_refuses_a_complaint_without_the_answers(strict_city, fire_lane, escalated):
    now = timezone.now()
    _, outbox = escalated(now=now, category=fire_lane)
    assert delivery.process_due(now=now) == {"retry": 1}
    outbox.refresh_from_db()
    assert outbox.state == Outbox.State.PENDING and "attribute[occupant] is required" in outbox.last_error


def test_the_demo_shows_the_answers_and_a_copy_at_the_city(city):
    from participation.complaints.demo import seed_demo_city_case

    complaint = seed_demo_city_case(city["a1"])
    assert attributes.validate(complaint.category, complaint.attributes) == ({"occupant": "car", "count": "6"}, {})
    assert delivery.request_fields(complaint)["attribute[occupant]"] == "car"
    assert complaint.city_duplicates.get().service_request_id == "DEMO-1002"
    assert complaint.outbox.service_request_id == "DEMO-1001"
