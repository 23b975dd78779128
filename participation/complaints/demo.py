"""Demo complaints: a catalogue and, on 湖滨社区's 反光镜, a public case with a photo and a reply; and a
case escalated to the city with the answers the city asks for (消防通道堵塞: 占用物), which the city
holds twice (the copy is listed for staff with its note for the city, and in the city-link overview)."""

import io
from datetime import timedelta

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


# The moves the demo history makes, each with its weight: most cases are accepted and closed, some go to the
# city, some are reopened, a few are sent back.
HISTORY_WALK = {
    CaseState.SUBMITTED: [(CaseState.ACCEPTED, 9), (CaseState.RETURNED, 1)],
    CaseState.ACCEPTED: [(CaseState.IN_PROGRESS, 5), (CaseState.ESCALATED, 3), (CaseState.REPLIED, 2)],
    CaseState.ESCALATED: [(CaseState.DISPATCHED, 3), (CaseState.CLOSED, 1)],
    CaseState.DISPATCHED: [(CaseState.IN_PROGRESS, 1)],
    CaseState.IN_PROGRESS: [(CaseState.REPLIED, 2), (CaseState.CLOSED, 3)],
    CaseState.REPLIED: [(CaseState.CLOSED, 1)],
    CaseState.CLOSED: [(CaseState.EVALUATED, 3), (CaseState.REOPENED, 1)],
    CaseState.REOPENED: [(CaseState.IN_PROGRESS, 1)],
}
HISTORY_TEXTS = [
    ("noise", "夜间广场舞音响声音过大，影响休息。"),
    ("road", "小区门口人行道地砖松动，雨天溅水。"),
    ("fire_lane", "楼道内堆放杂物，堵塞消防通道。"),
]


def seed_demo_complaint_history(
    communities, days: int = 56, per_community: int = 18, seed: int = 2026, ago: int = 0
) -> int:
    """Private complaints over the last `days` days (ending `ago` days back: 365 gives the same weeks a year
    earlier, for the dashboard's comparison) in every state, with their timelines (decision support's
    dashboards then show trends). No reporter, no photo, nothing sent to the city; an escalated complaint's next
    moves are marked as the city's answers (from_city), as its status updates would write them."""
    import random

    rng = random.Random(seed)
    categories = {
        c.service_code: c for c in ServiceCategory.objects.filter(service_code__in=[t[0] for t in HISTORY_TEXTS])
    }
    now = timezone.now()
    made = 0
    for community in communities:
        for _i in range(per_community):
            code, text = rng.choice(HISTORY_TEXTS)
            if code not in categories:
                continue
            at = now - timedelta(days=ago + rng.uniform(0.2, days))
            complaint = Complaint.objects.create(
                community=community,
                category=categories[code],
                kind=Complaint.Kind.HAZARD,
                description=text,
                address=f"{community.name}内",
                created_at=at,
            )
            made += 1
            while complaint.state in HISTORY_WALK and rng.random() < 0.85:
                at += timedelta(hours=rng.choice([2, 6, 20, 40, 80, 150]))
                if at >= now:
                    break
                moves, weights = zip(*HISTORY_WALK[complaint.state], strict=True)
                to_state = rng.choices(moves, weights)[0]
                if to_state == CaseState.EVALUATED:
                    complaint.rating = rng.choice([Complaint.Rating.SATISFIED] * 4 + [Complaint.Rating.NOT_SATISFIED])
                by_city = complaint.state in (CaseState.ESCALATED, CaseState.DISPATCHED)
                move(complaint, to_state, at=at, from_city=by_city)
    return made


# The demo resident's own cases in 翠园, one in each step a case passes through, so that 我的投诉 shows every
# state, the worker has cases to accept, escalate and answer, and staff see a delivery that failed for good.
RESIDENT_CASES = [
    # (final state, kind, category, description, address, public)
    (
        CaseState.SUBMITTED,
        Complaint.Kind.SUGGESTION,
        "greening",
        "建议在2号楼前的空地上增设几张休息长椅。",
        "翠园小区2号楼前",
        True,
    ),
    (
        CaseState.ACCEPTED,
        Complaint.Kind.HAZARD,
        "greening",
        "5号楼旁的大树枝干开裂，刮风时可能掉落。",
        "翠园小区5号楼东侧",
        True,
    ),
    (
        CaseState.IN_PROGRESS,
        Complaint.Kind.DISPUTE,
        "noise",
        "夜里十一点后楼下烧烤店仍很吵，影响休息。",
        "翠园路8号沿街商铺",
        False,
    ),
    (CaseState.REPLIED, Complaint.Kind.CONSULTATION, "greening", "小区垃圾分类督导员几点在岗？", "翠园小区", False),
    (CaseState.CLOSED, Complaint.Kind.HAZARD, "road", "3号楼门口地砖松动，老人容易绊倒。", "翠园小区3号楼门口", True),
    (
        CaseState.EVALUATED,
        Complaint.Kind.SUGGESTION,
        "greening",
        "希望小区花坛补种一些花草。",
        "翠园小区中心花坛",
        True,
    ),
    (CaseState.REOPENED, Complaint.Kind.HAZARD, "road", "小区东门路灯不亮，上次报修后又坏了。", "翠园小区东门", True),
    (CaseState.RETURNED, Complaint.Kind.CONSULTATION, "noise", "隔壁小区的事能反映吗？", "翠园小区", False),
    (
        CaseState.ESCALATED,
        Complaint.Kind.HAZARD,
        "road",
        "翠园路与湖滨路路口的井盖下沉，车辆经过有异响。",
        "翠园路与湖滨路路口",
        True,
    ),
]


def seed_demo_resident_cases(community, resident, worker) -> int:
    """The demo resident's cases in every state (once); the escalated one's delivery is dead-lettered, for
    staff to requeue. Returns how many were made."""
    if Complaint.objects.filter(community=community, reporter=resident).exists():
        return 0
    categories = {}
    for code, name, group, department, to_city in DEMO_CATEGORIES:
        defaults = {"name": name, "group": group, "department": department, "goes_to_city": to_city}
        categories[code], _ = ServiceCategory.objects.get_or_create(service_code=code, defaults=defaults)
    for state, kind, category, description, address, public in RESIDENT_CASES:
        complaint = cases.submit(
            community=community,
            reporter=resident,
            kind=kind,
            category=categories[category],
            description=description,
            address=address,
            public=public,
            contact_preference=Complaint.Contact.SITE,
        )
        _bring_to(complaint, state, worker)
    return len(RESIDENT_CASES)


def _bring_to(complaint, state, worker) -> None:
    if state == CaseState.SUBMITTED:
        return
    if state == CaseState.RETURNED:
        cases.set_aside(complaint, CaseState.RETURNED, worker, "这属于隔壁小区的事务，请向其所在社区反映。")
        return
    cases.accept(complaint, worker)
    if state == CaseState.ACCEPTED:
        return
    if state == CaseState.ESCALATED:
        move(complaint, CaseState.ESCALATED, author=worker)
        now = timezone.now()
        Outbox.objects.create(
            complaint=complaint,
            state=Outbox.State.DEAD,
            attempts=8,
            endpoint_key="default",
            last_error="演示：市里的系统连续 8 次没有应答。",
            created_at=now,
            next_try_at=now,
        )
        return
    if state == CaseState.IN_PROGRESS:
        move(complaint, CaseState.IN_PROGRESS, author=worker, text="已约谈商户，正在跟进。")
        return
    if state == CaseState.REPLIED:
        move(complaint, CaseState.REPLIED, author=worker, text="督导员每天 7:00–9:00、18:00–20:00 在岗。")
        return
    cases.settle_locally(complaint, worker, "已安排维修，感谢您的反映！")
    if state == CaseState.EVALUATED:
        cases.rate(complaint, Complaint.Rating.SATISFIED, "处理得很及时。")
    elif state == CaseState.REOPENED:
        cases.rate(complaint, Complaint.Rating.NOT_SATISFIED, "修好两天又不亮了。")
