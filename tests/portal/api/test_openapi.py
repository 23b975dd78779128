"""The OpenAPI document is valid, and every documented GET answers what the document says: the paths are
enumerated from the document itself, so a router registered later is checked too."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from participation.elections.models import Election
from portal.api.registry import get_api

HOSTS = ["localhost", "a1.localhost"]


def document():
    """The document as served (JSON: the response codes become strings)."""
    return json.loads(json.dumps(get_api().get_openapi_schema(), default=str))


def check(doc, operation, status, response):
    documented = operation["responses"][str(status)]["content"]
    if "application/json" not in documented:  # a CSV table
        assert list(documented) == ["text/csv"] and response["Content-Type"].startswith("text/csv")
        return
    content = documented["application/json"]["schema"]
    Draft202012Validator({**content, "components": doc["components"]}).validate(response.json())


def get_operations(doc):
    return [(path, item["get"]) for path, item in doc["paths"].items() if "get" in item]


def test_the_document_is_valid_and_served(client):
    doc = document()
    validate(doc)
    served = Client(HTTP_HOST="a1.localhost").get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.json()["paths"].keys() == doc["paths"].keys()
    assert {
        "/api/v1/communities",
        "/api/v1/notices",
        "/api/v1/complaints",
        "/api/v1/organisations/{table}.json",
    } <= set(doc["paths"])


def test_the_interactive_docs_are_served_by_the_project_itself(db):
    page = Client(HTTP_HOST="localhost").get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert assets and all(a.startswith("/static/") for a in assets)


def path_values(records, city):
    return {
        "slug": city["a1"].slug,
        "complaint_id": records["public"].pk,
        "table": "organisations",
        "topic_id": records["topic"].pk,
        "election_id": records["election"].pk,
        "poll_id": records["poll"].pk,
    }


@pytest.mark.parametrize("host", HOSTS)
def test_every_documented_get_answers_its_documented_schema(records, city, host):
    doc = document()
    client = Client(HTTP_HOST=host)
    values = path_values(records, city)
    checked = 0
    for path, operation in get_operations(doc):
        url = re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), path)
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        check(doc, operation, 200, response)
        checked += 1
        # A bad value of each typed or checked parameter: a 400 with a reason, in the documented shape.
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            bad = {"limit": "0", "cursor": "!!", "format": "pdf"}.get(parameter["name"], "\x00not-a-value")
            response = client.get(url, {parameter["name"]: bad})
            schema_type = parameter["schema"].get("type") or [
                s.get("type") for s in parameter["schema"].get("anyOf", [])
            ]
            if response.status_code == 200:  # a free-text filter (e.g. category) simply matches nothing
                assert "string" in schema_type and parameter["name"] not in ("community", "street", "district")
                continue
            assert response.status_code == 400, (url, parameter["name"], response.status_code)
            check(doc, operation, 400, response)
            assert response.json()["detail"]
    assert checked >= 17


def test_unknown_ids_are_404(records):
    client = Client(HTTP_HOST="localhost")
    assert client.get("/api/v1/communities/nowhere").status_code == 404
    assert client.get(f"/api/v1/complaints/{records['private'].pk}").status_code == 404  # not on the record
    assert client.get("/api/v1/complaints/99999999999999999999", follow=True).status_code == 404  # beyond <id:>


def test_lists_filter_and_paginate_with_a_cursor(records, city):
    client = Client(HTTP_HOST="localhost")
    assert [i["title"] for i in client.get("/api/v1/notices", {"community": "a1"}).json()["items"]] == ["停水通知"]
    assert client.get("/api/v1/notices", {"community": "b1"}).json()["items"] == []
    assert client.get("/api/v1/notices", {"street": "street-a", "district": "east"}).json()["items"]
    assert client.get("/api/v1/notices", {"district": "west"}).json()["items"] == []
    assert client.get("/api/v1/notices", {"street": "nowhere"}).status_code == 400
    first = client.get("/api/v1/communities", {"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = client.get("/api/v1/communities", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [c["slug"] for c in first["items"] + rest["items"]] == ["c1", "b1", "a1"] and rest["next_cursor"] is None
    event = client.get("/api/v1/events").json()["items"][0]
    assert event["capacity"] == 10 and event["free_places"] == 10
    assert event["url"].startswith("http://a1.localhost") and event["community"] == "a1"


def test_the_public_record_holds_public_replies_and_no_personal_data(records):
    item = Client(HTTP_HOST="localhost").get(f"/api/v1/complaints/{records['public'].pk}").json()
    text = json.dumps(item, ensure_ascii=False)
    assert "13800138000" not in text and "1203" not in text and "张三" not in text
    assert [r["text"] for r in item["replies"] if r["text"]] == ["已受理", "已派人处理"]
    assert item["status"] == "accepted" and item["community"] == "a1"


def test_csv_etag_304_and_cors(records):
    client = Client(HTTP_HOST="localhost")
    response = client.get("/api/v1/notices", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("id,community,title,url") and "停水通知" in lines[1]
    response = client.get("/api/v1/notices")
    assert response["Access-Control-Allow-Origin"] == "*" and response["ETag"] and response["Last-Modified"]
    assert client.get("/api/v1/notices", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    preflight = client.options("/api/v1/notices", HTTP_ORIGIN="https://example.org")
    assert preflight.status_code == 204 and preflight["Access-Control-Allow-Origin"] == "*"
    # Only the read API is open to other origins: not the Open311 server, not the site.
    assert "Access-Control-Allow-Origin" not in client.get("/open311/v2/services.json")
    assert "Access-Control-Allow-Origin" not in client.get("/healthz")


def test_the_read_api_is_rate_limited_per_address(records, settings):
    settings.PORTAL_API_RATE = "3/m"
    client = Client(HTTP_HOST="localhost", REMOTE_ADDR="10.0.0.7")
    assert [client.get("/api/v1/regions").status_code for _ in range(3)] == [200] * 3
    limited = client.get("/api/v1/regions", HTTP_X_FORWARDED_FOR="10.9.9.9")  # a client's XFF is not trusted
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert Client(HTTP_HOST="localhost", REMOTE_ADDR="10.0.0.8").get("/api/v1/regions").status_code == 200


def test_deliberation_results_and_log_once_sealed_and_poll_results_once_published(records):
    client = Client(HTTP_HOST="localhost")
    topic = client.get(f"/api/v1/deliberations/{records['topic'].pk}").json()
    assert topic["phase"] == "decided" and topic["sealed"] and topic["result"] is not None
    log = client.get(f"/api/v1/deliberations/{records['topic'].pk}/ballots").json()
    assert log["header"]["topic"] == records["topic"].pk if "header" in log else log
    poll = client.get(f"/api/v1/polls/{records['poll'].pk}").json()
    assert poll["results_published"] and poll["responses"] == 0 and len(poll["results"]) == len(poll["questions"])
    records["poll"].results_visibility = "after_close"
    records["poll"].save_revision().publish()
    assert client.get(f"/api/v1/polls/{records['poll'].pk}").json()["results"] is None


def test_elections_show_candidates_once_listed_and_the_result_and_log_once_sealed(records):
    client = Client(HTTP_HOST="localhost")
    election = client.get(f"/api/v1/elections/{records['election'].pk}").json()
    assert election["phase"] == "counting" and election["sealed"] and election["result"] is not None
    [post] = election["posts"]
    assert post["candidates"] == [{"name": "api-candidate", "nominated_by": "committee", "statement": "为大家服务"}]
    assert "13900139000" not in json.dumps(election, ensure_ascii=False)
    log = client.get(f"/api/v1/elections/{records['election'].pk}/ballots").json()
    assert log["head"] == election["log_head"] and log["entries"] == [] and log["result"] == election["result"]
    listed = client.get("/api/v1/elections", {"phase": "counting"}).json()["items"]
    assert [e["id"] for e in listed] == [records["election"].pk] and listed[0]["posts"][0]["candidates"] is None
    assert client.get("/api/v1/elections", {"phase": "voting"}).json()["items"] == []


def test_an_election_before_its_candidate_list_shows_no_candidates_and_no_log(records):
    election = records["election"]
    now = timezone.now()
    Election.objects.filter(pk=election.pk).update(
        candidates_from=now + timedelta(days=1),
        voting_starts=now + timedelta(days=2),
        voting_ends=now + timedelta(days=3),
    )
    client = Client(HTTP_HOST="localhost")
    shown = client.get(f"/api/v1/elections/{election.pk}").json()
    assert shown["phase"] == "acceptance" and shown["posts"][0]["candidates"] is None and shown["result"] is None
    assert client.get(f"/api/v1/elections/{election.pk}/ballots").status_code == 404
    assert client.get("/api/v1/elections/99999999").status_code == 404
