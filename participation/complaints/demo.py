"""Demo complaints: a catalogue and, on 湖滨社区's 反光镜, a public case with a photo and a reply; and a
case escalated to the city with the answers the city asks for (消防通道堵塞: 占用物), which the city
holds twice (the copy is listed for staff with its note for the city, and in the city-link overview)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from participation.content.uploads import validate_image

from . import cases
from .models import CaseState, CityDuplicate, Complaint, ComplaintEvent, Outbox, ServiceCategory
from .states import move

DEMO_CATEGORIES = [
    ("road", "道路破损", "市政", "区市政局", True),
    ("noise", "噪音扰民", "环境", "区生态环境局", True),
    ("greening", "小区绿化", "物业", "社区居委会", False),
]


# As the catalogue sync stores it from the city's GET services/fire_lane.
FIRE_LANE_ATTRIBUTES = [
    {
        "variable": "true",
        "code": "occupant",
        "datatype": "singlevaluelist",
        "required": "true",
        "order": 1,
        "description": "占用物",
        "values": [
            {"key": "car", "name": "机动车"},
            {"key": "goods", "name": "杂物"},
            {"key": "stall", "name": "摊位"},
        ],
    },
    {"variable": "true", "code": "count", "datatype": "number", "required": "false", "order": 2, "description": "数量"},
]


def _demo_photo():
    image = Image.new("RGB", (320, 240), "#9aa5b1")
    ImageDraw.Draw(image).ellipse((110, 80, 210, 180), fill="#2f3b47")  # a missing manhole cover
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return validate_image(SimpleUploadedFile("demo.png", buffer.getvalue(), content_type="image/png"))


def seed_demo_complaints(community, worker=None) -> Complaint:
    categories = {}
    for code, name, group, department, to_city in DEMO_CATEGORIES:
        defaults = {"name": name, "group": group, "department": department, "goes_to_city": to_city}
        categories[code], _ = ServiceCategory.objects.get_or_create(service_code=code, defaults=defaults)
    complaint = cases.submit(
        photos=[_demo_photo()],
        community=community,
        reporter=None,
        kind=Complaint.Kind.HAZARD,
        category=categories["road"],
        description="湖滨路12号门前井盖缺失，夜里路过很危险，请尽快处理。",
        address="湖滨路12号门前",
        public=True,
    )
    cases.settle_locally(complaint, worker, "已联系市政养护单位，井盖已于当日补装。感谢您的反映！")
    seed_demo_city_case(community, worker)
    return complaint


def seed_demo_city_case(community, worker=None) -> Complaint:
    """An escalated case with the city's answers, delivered, and a second copy the city made."""
    fire_lane, _ = ServiceCategory.objects.update_or_create(
        service_code="fire_lane",
        defaults={
            "name": "消防通道堵塞",
            "group": "安全",
            "department": "区消防救援支队",
            "from_city": True,
            "attributes": FIRE_LANE_ATTRIBUTES,
        },
    )
    complaint = cases.submit(
        community=community,
        reporter=None,
        kind=Complaint.Kind.HAZARD,
        category=fire_lane,
        description="3号楼北侧消防通道每晚停满私家车，消防车进不来。",
        address="湖滨路12号3号楼北侧",
        attributes={"occupant": "car", "count": "6"},
    )
    now = timezone.now()
    cases.accept(complaint, worker)
    move(complaint, CaseState.ESCALATED, author=worker, at=now)
    outbox = Outbox.objects.create(
        complaint=complaint,
        state=Outbox.State.DELIVERED,
        attempts=2,
        service_request_id="DEMO-1001",
        endpoint_key="default",
        created_at=now,
        next_try_at=now,
        delivered_at=now,
    )
    ComplaintEvent.objects.create(
        complaint=complaint, kind=ComplaintEvent.Kind.NOTE, text="Delivered to the city's system as request DEMO-1001."
    )
    CityDuplicate.objects.create(
        complaint=complaint,
        endpoint_key=outbox.endpoint_key,
        service_request_id="DEMO-1002",
        source=CityDuplicate.Source.LISTING,
        found_at=now,
    )
    return complaint


# Published in README.md and docs/api.md, for trying the Open311 server with curl: never use it elsewhere.
DEMO_API_KEY = "demo1234.demo-partner-key-not-secret"


def seed_demo_api_key(communities):
    """A partner key (演示合作方, the 12345 hotline's stand-in) that may file for the given communities."""
    from portal.api import keys

    return keys.issue("演示合作方（12345热线）", communities, requests_per_minute=60, plain=DEMO_API_KEY)[0]
