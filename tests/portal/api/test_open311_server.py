"""The portal's own Open311 GeoReport v2 server: keys (401/403/429), the web form's path for a POSTed
request, de-duplication by the partner's id, JSON and XML, {code, description} errors; and the portal's
own Open311 client, pointed at this server over real HTTP, files, follows and receives updates."""

import threading
import xml.etree.ElementTree as ET

import pytest
import requests
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections
from django.test import Client
from django.utils import timezone

from participation.complaints import cases, delivery, updates
from participation.complaints.conf import default_endpoint
from participation.complaints.models import CaseState, Complaint, Outbox
from portal.api import keys

REQUESTS = "/open311/v2/requests.json"


def post(client, data, **headers):
    return client.post(REQUESTS, data, **headers)


def test_services_and_definition_in_json_and_xml(records):
    client = Client(HTTP_HOST="localhost")
    assert [s["service_code"] for s in client.get("/open311/v2/services.json").json()] == ["road"]
    root = ET.fromstring(client.get("/open311/v2/services.xml").content)
    assert root.tag == "services" and root.find("service/service_code").text == "road"
    definition = client.get("/open311/v2/services/road.json").json()
    assert {"community", "kind"} <= {a["code"] for a in definition["attributes"]}
    missing = client.get("/open311/v2/services/nothing.xml")
    assert missing.status_code == 404 and ET.fromstring(missing.content).find("error/code").text == "404"


def test_keys_missing_wrong_revoked_not_allowed_and_over_the_limit(records, city):
    client = Client(HTTP_HOST="localhost")
    base = {"service_code": "road", "description": "路灯坏了", "address_string": "甲街道"}
    assert post(client, base).status_code == 401
    wrong = post(client, base | {"api_key": records["plain_key"] + "x"})
    assert wrong.status_code == 401 and wrong.json()[0]["description"]
    elsewhere = post(client, base | {"api_key": records["plain_key"], "attribute[community]": "c1"})
    assert elsewhere.status_code == 403
    key, plain = keys.issue("限速伙伴", [city["a1"]], requests_per_minute=1)
    assert post(client, base | {"api_key": plain}).status_code == 200
    limited = post(client, base | {"api_key": plain})
    assert limited.status_code == 429 and 0 < int(limited["Retry-After"]) <= 60
    key.revoked_at = timezone.now()
    key.save()
    assert post(client, base | {"api_key": plain}).status_code == 403
    assert keys.ApiKey.objects.get(pk=key.pk).key_hash != plain and plain not in str(key.__dict__)


def test_a_posted_request_takes_the_web_forms_path_and_is_deduplicated(records, city):
    client = Client(HTTP_HOST="localhost")
    data = {
        "api_key": records["plain_key"],
        "service_code": "road",
        "description": "井盖丢了，联系13900139000",
        "address_string": "甲街道5号楼",
        "attribute[community]": "b1",
        "attribute[partner_request_id]": "hotline-001",
        "attribute[public]": "true",
    }
    first = post(client, data)
    assert first.status_code == 200, first.content
    request_id = first.json()[0]["service_request_id"]
    complaint = Complaint.objects.get(pk=request_id)
    assert complaint.community == city["b1"] and complaint.api_key == records["key"]
    assert complaint.partner_request_id == "hotline-001" and complaint.reporter is None
    assert "13900139000" not in complaint.description  # the form's screening of public text
    assert post(client, data).json()[0]["service_request_id"] == request_id  # the same partner id: the same one
    assert Complaint.objects.filter(partner_request_id="hotline-001").count() == 1
    token = first.json()[0]["token"]
    assert client.get(f"/open311/v2/tokens/{token}.json").json()[0]["service_request_id"] == request_id
    # The form's own validation, as GeoReport errors naming the parameter.
    bad = post(client, data | {"attribute[partner_request_id]": "hotline-002", "lat": "1", "long": ""})
    assert bad.status_code == 400 and {e["code"] for e in bad.json()} == {"lat"}
    assert (
        post(client, data | {"attribute[community]": "nowhere", "attribute[partner_request_id]": "3"}).status_code
        == 400
    )
    assert post(client, data | {"service_code": "gone", "attribute[partner_request_id]": "4"}).status_code == 404


def test_get_lists_the_public_record_masked_and_a_key_its_own_requests(records):
    client = Client(HTTP_HOST="localhost")
    listed = client.get(REQUESTS).json()
    assert [i["service_request_id"] for i in listed] == [str(records["public"].pk)]
    assert "13800138000" not in str(listed) and "address" not in listed[0]
    assert client.get(f"/open311/v2/requests/{records['private'].pk}.json").status_code == 404
    assert client.get("/open311/v2/requests/abc.json").status_code == 404
    for params in ({"start_date": "yesterday"}, {"status": "done"}, {"service_request_id": "1,x"}):
        response = client.get(REQUESTS, params)
        assert response.status_code == 400 and response.json()[0]["code"] == "400", params
    assert client.get(REQUESTS, {"status": "closed"}).json() == []
    assert client.get("/open311/v2/servicerequestupdates.json").status_code == 400  # start_date is required
    assert client.put(REQUESTS).status_code == 405


@pytest.fixture
def portal_server(db):
    """This portal on a real socket, in a thread that shares the test's database connection (the
    client below waits for each answer, so the two never use it at once)."""
    connection = connections["default"]
    connection.inc_thread_sharing()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    from django.core.handlers.wsgi import WSGIHandler

    server = WSGIServer(("127.0.0.1", 0), Quiet, ipv6=False)
    server.set_app(WSGIHandler())

    def serve():
        connections["default"] = connection
        server.serve_forever(poll_interval=0.05)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}/open311/v2"
    server.shutdown()
    server.server_close()
    thread.join()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    connection.dec_thread_sharing()


def test_the_portals_own_client_files_follows_and_receives_updates(records, city, portal_server, settings):
    """Complaint X in c1 escalated to 'the city', which is this portal: it becomes complaint Y in a1
    (filed with a partner key); Y's handling comes back to X through servicerequestupdates."""
    key, plain = keys.issue("本门户的转办", [city["a1"]], requests_per_minute=100)
    settings.OPEN311 = {"url": portal_server, "api_key": plain, "jurisdiction_id": "", "format": "json"}
    x = cases.submit(
        community=city["c1"],
        reporter=None,
        kind=Complaint.Kind.HAZARD,
        category=records["category"],
        description="路面塌陷",
        address="丙街道口",
    )
    cases.accept(x, records["worker"])
    outbox = delivery.escalate(x, author=records["worker"])
    assert delivery.process_one(outbox.pk) == "delivered"
    outbox.refresh_from_db()
    y = Complaint.objects.get(pk=outbox.service_request_id)
    assert (y.community, y.api_key, y.partner_request_id) == (city["a1"], key, x.portal_id)
    assert y.description.startswith("路面塌陷")
    # Sent again (an ambiguous failure's re-send): the same request, not a second one.
    client = delivery.open311.Client(default_endpoint())
    again = client.post_request(delivery.request_fields(x), str(outbox.idempotency_key))
    assert again.service_request_id == str(y.pk) and Complaint.objects.filter(api_key=key).count() == 1
    assert client.get_request(str(y.pk))["status"] == "open"
    # Y is handled where it was filed; X hears of it.
    cases.settle_locally(y, records["worker"], "已修复路面")
    counts = updates.poll(default_endpoint())
    assert counts, counts
    x.refresh_from_db()
    assert x.state == CaseState.CLOSED
    assert "已修复路面" in [e.text for e in x.events.all()]
    assert Outbox.objects.get(pk=outbox.pk).state == Outbox.State.DELIVERED


def test_a_nul_in_any_parameter_is_a_400_in_the_protocols_shape(records):
    client = Client(HTTP_HOST="localhost")
    for response in (
        client.get(REQUESTS, {"api_key": "x\x00"}),
        client.get("/open311/v2/servicerequestupdates.xml", {"start_date": "\x00"}),
        post(client, {"api_key": records["plain_key"], "service_code": "road", "description": "a\x00"}),
    ):
        assert response.status_code == 400


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_a_third_party_client_follows_requests_in_json_and_xml(records, city, portal_server, output_format):
    """georeport (PyPI, not written here) reads the portal's GeoReport server over a real socket. It
    cannot file (it has no POST), so the request is filed as a partner would, with a form POST; the
    library then lists the services, reads a definition, finds the request and follows it to closed."""
    from georeport import GeoReport

    reader = GeoReport(portal_server, output_format=output_format)
    assert [s["service_code"] for s in _many(reader.get_service_list())] == ["road"]
    definition = reader.get_service_definition("road")
    assert {"community", "kind"} <= {
        a["code"]
        for a in _many(definition["attributes"]["attribute"] if output_format == "xml" else definition["attributes"])
    }
    # over the socket too: Django's test Client would reconnect close_old_connections, which closes the shared
    # PostgreSQL connection (in the test's transaction) at the server thread's next request
    filed = requests.post(
        f"{portal_server}/requests.json",
        {
            "api_key": records["plain_key"],
            "service_code": "road",
            "description": "路灯不亮，电话13800138000",
            "address_string": "甲街道5号",
            "attribute[community]": "a1",
            "attribute[public]": "true",
        },
    )
    assert filed.status_code == 200, filed.content
    request_id = filed.json()[0]["service_request_id"]
    cases.accept(Complaint.objects.get(pk=request_id), records["worker"], "已受理")  # on the public record from here
    followed = reader.get_service_request(request_id)
    assert (followed["service_request_id"], followed["status"]) == (request_id, "open")
    assert "13800138000" not in str(followed)  # masked on the public record
    listed = [r["service_request_id"] for r in _many(reader.get_service_requests(service_code="road", status="open"))]
    assert request_id in listed
    cases.settle_locally(Complaint.objects.get(pk=request_id), records["worker"], "已修好")
    assert reader.get_service_request(request_id)["status"] == "closed"
    assert request_id not in [r["service_request_id"] for r in _many(reader.get_service_requests(status="open"))]


def _many(value):
    """xmltodict gives one element as a dict and several as a list."""
    return value if isinstance(value, list) else [value]
