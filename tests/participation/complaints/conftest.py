import io
import os
import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from participation.complaints import cases, delivery
from participation.complaints.models import Complaint, ServiceCategory
from tests.portal.wechat.conftest import make_account, standin, wechat_server  # noqa: F401  (WeChat fixtures)

from .open311_server import FakeOpen311


@pytest.fixture(autouse=True)
def media_dirs(settings, tmp_path):
    """Public and private media of each test in its own folders: (public, private)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"
    return settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT


def png_upload(name="photo.png", size=(40, 30), colour="blue", fmt="PNG", content_type="image/png", noise=False):
    """An image upload; `noise` fills it with random pixels, so it stays as large as its size says."""
    buffer = io.BytesIO()
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)) if noise else Image.new("RGB", size, colour)
    image.save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


@pytest.fixture
def fake_city():
    """fake_city(fmt="json", dedupe=True, lookup=True) -> a started FakeOpen311, stopped after the test."""
    started = []

    def make(**options):
        server = FakeOpen311(**options).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


def closed_port_url() -> str:
    """A loopback URL nobody listens on: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/open311/v2"


@pytest.fixture
def point_at(settings):
    """point_at(server_or_url, fmt=..., lookup=..., timeout=..., lookups=...) sets the deployment's endpoint."""

    def configure(target, fmt=None, lookup=None, timeout=5.0, api_key="test-key", lookups=None):
        url = target if isinstance(target, str) else target.url
        settings.OPEN311 = {
            "lookups": lookups,
            "url": url,
            "api_key": api_key,
            "jurisdiction_id": "",
            "format": fmt or getattr(target, "fmt", "json"),
            "lookup_by_portal_id": getattr(target, "lookup", False) if lookup is None else lookup,
            "timeout": timeout,
        }

    return configure


@pytest.fixture
def categories(db):
    return {
        "noise": ServiceCategory.objects.create(service_code="noise", name="噪音扰民", deadline_days=5),
        "road": ServiceCategory.objects.create(service_code="road", name="道路破损", department="市政局"),
        "local": ServiceCategory.objects.create(service_code="local-greening", name="小区绿化", goes_to_city=False),
    }


@pytest.fixture
def new_complaint(city, categories, make_user):
    """new_complaint(community="a1", **fields) -> a submitted complaint by a fresh resident."""

    def make(community="a1", reporter=None, **fields):
        values = {
            "community": city[community],
            "reporter": reporter if reporter is not None else make_user(),
            "kind": Complaint.Kind.HAZARD,
            "category": categories["noise"],
            "description": "楼下烧烤店每晚噪音到凌晨两点。",
            "address": "甲街道1号",
            "public": True,
        }
        values.update(fields)
        return cases.submit(**values)

    return make


@pytest.fixture
def escalated(new_complaint, make_user):
    """escalated(now=..., **fields) -> (complaint, outbox): submitted, accepted and escalated."""

    def make(now=None, **fields):
        complaint = new_complaint(**fields)
        worker = make_user()
        cases.accept(complaint, worker)
        outbox = delivery.escalate(complaint, author=worker, now=now)
        return complaint, outbox

    return make
