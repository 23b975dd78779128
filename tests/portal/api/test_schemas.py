"""No personal data leaves through the API or the open data: every field of every API schema, of every
open-data table and of every Open311 answer is on this allow-list (with what it is). A new field fails
here until someone has decided it is public."""

import json

from django.test import Client

from communities.organisations.opendata import RESOURCES
from portal.api.registry import get_api

# schema -> its public fields. Free text here is staff-written or, for complaints, masked (phone, ID, door).
ALLOWED = {
    "BarOut": {"count", "label", "percent"},
    "CommunityOut": {"district", "host", "id", "name", "slug", "street", "url"},
    "ComplaintOut": {
        "category",
        "category_name",
        "closed",
        "community",
        "description",
        "id",
        "kind",
        "replies",
        "status",
        "submitted",
    },  # never reporter, contact phone, address, point, photos
    # candidates are public from the published candidate list on, as on the election's page
    "CandidateOut": {"name", "nominated_by", "statement"},
    "ElectionOut": {
        "announcement",
        "committee",
        "community",
        "id",
        "log_head",
        "phase",
        "phases",
        "posts",
        "result",
        "round",
        "round_kind",  # first, runoff (决选) or second (另行选举)
        "sealed",
        "title",
    },
    "Error": {"detail"},
    "EventOut": {
        "capacity",
        "community",
        "end",
        "first_published",
        "free_places",
        "id",
        "last_published",
        "organiser",
        "place",
        "signup_open",
        "start",
        "summary",
        "title",
        "url",
    },  # never who signed up
    "NewsOut": {"community", "date", "first_published", "id", "last_published", "summary", "title", "url"},
    "NoticeOut": {
        "community",
        "first_published",
        "id",
        "issuer",
        "last_published",
        "pinned",
        "summary",
        "title",
        "url",
        "valid_from",
        "valid_until",
    },
    "OptionOut": {"abstention", "id", "label"},
    "PhaseOut": {"phase", "starts"},
    "PostOut": {"candidates", "name", "seats"},
    "PollOut": {
        "audience",
        "closes",
        "community",
        "first_published",
        "id",
        "last_published",
        "opens",
        "results_published",
        "title",
        "url",
    },
    "PollDetailOut": {
        "audience",
        "closes",
        "community",
        "first_published",
        "id",
        "last_published",
        "opens",
        "questions",
        "responses",
        "results",
        "results_published",
        "title",
        "url",
    },  # counts only
    "QuestionOut": {"choices", "key", "kind", "rows", "text"},
    "RegionOut": {"communities", "id", "kind", "name", "parent", "slug"},
    "ReplyOut": {"date", "from_city", "state", "text"},  # never the worker's name, never internal notes
    "ResultOut": {"answered", "bars", "key", "mean"},  # free-text answers are not listed
    "ServiceOut": {
        "community",
        "first_published",
        "id",
        "kind",
        "last_published",
        "provider",
        "summary",
        "title",
        "url",
    },
    "TableOut": {"count", "data", "filters", "resource"},  # data: the open-data tables below
    # the sealed result and ballot log are the documents the site publishes for recounting
    "TopicOut": {
        "community",
        "description",
        "id",
        "log_head",
        "majority",
        "options",
        "phase",
        "phases",
        "quorum_percent",
        "result",
        "sealed",
        "secret",
        "title",
    },
}
PAGE = {"items", "next_cursor"}

# The organisations' disclosures: what the law asks them to publish (the legal representative included).
OPEN_DATA = {
    "organisations": {
        "org_id",
        "credit_code",
        "name",
        "short_name",
        "english_name",
        "legal_form",
        "registration_authority",
        "registration_date",
        "registration_status",
        "charity_recognised_on",
        "public_fundraising_from",
        "public_fundraising_until",
        "supervising_unit",
        "legal_representative",
        "evaluation_grade",
        "home_community",
        "communities",
        "url",
        "charity_platform_url",
        "last_published_at",
    },
    "financial-lines": {
        "org_id",
        "organisation_name",
        "year",
        "period",
        "audited",
        "disclosed_on",
        "statement",
        "category",
        "restriction",
        "amount_cny",
    },
    "projects": {
        "org_id",
        "project_id",
        "title",
        "status",
        "funding_source",
        "start_date",
        "end_date",
        "location",
        "target_group",
        "beneficiaries",
        "budget_cny",
        "actual_spending_cny",
        "url",
    },
    "transactions": {
        "org_id",
        "event_id",
        "kind",
        "title",
        "counterparty",
        "amount_cny",
        "occurred_on",
        "disclosed_on",
    },
}

# Open311 answers: the public record; address, lat/long, token and the partner's id only to the key that filed.
OPEN311_PUBLIC = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "community",
}
OPEN311_OWN = OPEN311_PUBLIC | {"address", "lat", "long", "token", "partner_request_id", "portal_id"}
OPEN311_UPDATE = {"update_id", "service_request_id", "status", "updated_datetime", "description"}


def test_every_api_schema_field_is_allowed():
    schemas = json.loads(json.dumps(get_api().get_openapi_schema(), default=str))["components"]["schemas"]
    unknown = {}
    for name, schema in schemas.items():
        fields = set(schema.get("properties", {}))
        allowed = PAGE if name.endswith("Page") and fields == PAGE else ALLOWED.get(name)
        if allowed is None or fields - allowed:
            unknown[name] = sorted(fields - (allowed or set()))
    assert unknown == {}


def test_every_open_data_column_is_allowed():
    assert {name: {f.name for f in r.fields} - OPEN_DATA.get(name, set()) for name, r in RESOURCES.items()} == {
        name: set() for name in RESOURCES
    }


def test_every_open311_answer_field_is_allowed(records):
    client = Client(HTTP_HOST="localhost")
    filed = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": records["plain_key"],
            "service_code": "road",
            "description": "路灯",
            "address_string": "x号",
            "attribute[community]": "a1",
        },
    ).json()[0]
    assert set(filed) <= OPEN311_OWN
    listed = client.get("/open311/v2/requests.json").json()
    assert listed and all(set(item) <= OPEN311_PUBLIC for item in listed)
    updates = client.get("/open311/v2/servicerequestupdates.json", {"start_date": "2020-01-01T00:00:00Z"})
    assert updates.status_code == 400  # over 90 days
    since = records["public"].created_at.isoformat()
    items = client.get("/open311/v2/servicerequestupdates.json", {"start_date": since}).json()
    assert items and all(set(item) <= OPEN311_UPDATE for item in items)


def test_every_daily_export_column_is_allowed():
    from portal.api import registry

    allowed = {
        "complaints": ALLOWED["ComplaintOut"],
        "notices": ALLOWED["NoticeOut"],
        "events": ALLOWED["EventOut"],
        "news": ALLOWED["NewsOut"],
        "services": ALLOWED["ServiceOut"],
        "polls": ALLOWED["PollOut"],
        "deliberations": ALLOWED["TopicOut"],
        "elections": ALLOWED["ElectionOut"],
    } | {f"organisation-{name}": fields for name, fields in OPEN_DATA.items()}
    tables = {t.name: {f.name for f in t.fields} for t in registry.exports()}
    assert set(tables) <= set(allowed), "a new export: add its columns to the allow-list"
    assert {name: fields - allowed[name] for name, fields in tables.items()} == {name: set() for name in tables}
