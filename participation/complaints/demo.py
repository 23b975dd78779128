"""Demo complaints: a catalogue and, on 湖滨社区's 反光镜, a public case with a photo and a reply."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from participation.content.uploads import validate_image

from . import cases
from .models import Complaint, ServiceCategory

DEMO_CATEGORIES = [
    ("road", "道路破损", "市政", "区市政局", True),
    ("noise", "噪音扰民", "环境", "区生态环境局", True),
    ("greening", "小区绿化", "物业", "社区居委会", False),
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
    return complaint
