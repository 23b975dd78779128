"""Pure functions: coordinates, masking, the wire-format parser, the case state machine."""

import pytest

from communities.regions.boundaries import contains, point_error, rectangle
from participation.complaints import open311
from participation.complaints.geo import gcj02_to_wgs84, wgs84_to_gcj02
from participation.complaints.masking import mask_personal_data
from participation.complaints.models import CaseState
from participation.complaints.states import ALLOWED, CITY_RANK


def test_gcj02_offset_matches_the_published_transform():
    # Tiananmen in WGS84 and its GCJ-02 coordinates as Chinese web maps show them.
    lat, lon = wgs84_to_gcj02(39.90734, 116.39089)
    assert lat == pytest.approx(39.908746, abs=2e-5)
    assert lon == pytest.approx(116.397132, abs=2e-5)


@pytest.mark.parametrize("point", [(39.90734, 116.39089), (31.230416, 121.473701), (22.543096, 114.057865)])
def test_gcj02_to_wgs84_round_trips_to_a_centimetre(point):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(*point))
    assert back[0] == pytest.approx(point[0], abs=1e-7)
    assert back[1] == pytest.approx(point[1], abs=1e-7)
    shifted = wgs84_to_gcj02(*point)
    assert abs(shifted[0] - point[0]) + abs(shifted[1] - point[1]) > 1e-3, "GCJ-02 really is offset"


def test_points_outside_china_are_not_shifted():
    assert gcj02_to_wgs84(51.5007, -0.1246) == (51.5007, -0.1246)


def test_a_geojson_boundary_holds_points_and_leaves_out_its_holes():
    box = rectangle(114.30, 30.58, 114.32, 30.60)
    assert contains(box, 30.59, 114.31)
    assert not contains(box, 30.61, 114.31)
    holed = {
        "type": "Polygon",
        "coordinates": [box["coordinates"][0], rectangle(114.305, 30.585, 114.315, 30.595)["coordinates"][0]],
    }
    assert not contains(holed, 30.59, 114.31) and contains(holed, 30.582, 114.302)
    multi = {
        "type": "MultiPolygon",
        "coordinates": [box["coordinates"], rectangle(114.4, 30.4, 114.5, 30.5)["coordinates"]],
    }
    assert contains(multi, 30.45, 114.45) and not contains(multi, 30.45, 114.35)


@pytest.mark.parametrize(
    ("lat", "lon", "code"),
    [
        (30.59, 114.31, None),
        (None, None, None),
        (30.59, None, "point_incomplete"),
        ("abc", 114.31, "point_not_a_number"),
        (float("inf"), 114.31, "point_not_a_number"),
        (31.22, 121.45, "point_outside_city"),
        (30.7, 114.9, "point_outside_community"),
    ],
)
def test_the_one_point_check(lat, lon, code):
    problem = point_error(lat, lon, rectangle(114.30, 30.58, 114.32, 30.60), "翠园")
    assert (problem.code if problem else None) == code


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("请打13812345678联系我", "13812345678", "138****5678"),
        ("电话 +86 138-1234-5678", "1234", "138****5678"),
        ("身份证110101199003071234号", "19900307", "11**************34"),
        ("身份证11010119900307123X", "19900307", "11**************3X"),
        ("座机010-87654321", "8765", "010-****"),
    ],
)
def test_personal_data_is_masked(text, hidden, kept):
    masked = mask_personal_data(text)
    assert hidden not in masked
    assert kept in masked


def test_masking_leaves_ordinary_numbers():
    assert mask_personal_data("3号楼2单元，共5户") == "3号楼2单元，共5户"


def test_parse_json_and_xml_answers_alike():
    xml = (
        b"<?xml version='1.0'?><service_requests><request><service_request_id>7</service_request_id>"
        b"</request></service_requests>"
    )
    assert open311.parse_body(xml, "xml") == [{"service_request_id": "7"}]
    assert open311.parse_body(b'[{"service_request_id": "7"}]', "json") == [{"service_request_id": "7"}]
    assert open311.parse_body(b'{"service_requests": [{"token": "t"}]}', "json") == [{"token": "t"}]
    errors = b"<errors><error><code>400</code><description>CRM is down</description></error></errors>"
    assert open311.parse_body(errors, "xml") == [{"code": "400", "description": "CRM is down"}]


@pytest.mark.parametrize("body", [b"<service_requests><request>", b"not xml at all"])
def test_malformed_xml_is_an_error(body):
    with pytest.raises(ValueError):
        open311.parse_body(body, "xml")


def test_entity_expansion_is_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><services>&b;</services>'
    with pytest.raises(ValueError):
        open311.parse_body(bomb, "xml")


def test_every_state_has_its_transitions_and_terminal_states_are_final():
    assert set(ALLOWED) == set(CaseState)
    for terminal in (CaseState.EVALUATED, CaseState.RETURNED, CaseState.DUPLICATE, CaseState.NOT_RESPONSIBLE):
        assert ALLOWED[terminal] == set()
    assert CaseState.REOPENED in ALLOWED[CaseState.CLOSED]
    assert CITY_RANK[CaseState.CLOSED] > CITY_RANK[CaseState.IN_PROGRESS] > CITY_RANK[CaseState.DISPATCHED]


def test_deploy_checks_name_the_missing_settings(settings):
    from participation.complaints.checks import open311_settings

    settings.OPEN311 = {"url": "", "timeout": 10}
    assert [p.id for p in open311_settings(None)] == ["complaints.W001"]
    settings.OPEN311 = {"url": "https://city.example/open311/v2", "timeout": 60}
    settings.OPEN311_PUSH_SECRET = ""
    settings.OPEN311_LEASE_SECONDS = 120
    assert [p.id for p in open311_settings(None)] == ["complaints.W002", "complaints.W003"]
