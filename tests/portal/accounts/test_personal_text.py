"""The one finder of personal data in free text: what it masks, what it leaves, what erasure removes."""

import pytest

from portal.accounts import personal_text as pt
from portal.accounts.identity import id_hash

from .conftest import make_id_number

ID = make_id_number("32010219800101123")


@pytest.mark.parametrize(
    ("text", "kind", "masked"),
    [
        ("请打13812345678联系我", "phone", "请打138****5678联系我"),
        ("电话 +86 138-1234-5678", "phone", "电话 138****5678"),
        ("0086 139.1234.5678", "phone", "139****5678"),
        ("139 1234 5678", "phone", "139****5678"),
        ("１３９１２３４５６７８", "phone", "139****5678"),
        ("座机010-87654321", "phone", "座机010-******21"),
        (f"身份证{ID}号", "id_number", f"身份证{ID[:2]}{'*' * 14}{ID[-2:]}号"),
        ("老身份证 320102800101123", "id_number", "老身份证 32***********23"),
        ("住1号楼1单元1502室", "address", "住1号楼1单元****室"),
        ("3栋1203", "address", "3栋****"),
        ("3-2-1203", "address", "3-2-****"),
        ("1203室", "address", "****室"),
    ],
)
def test_finds_and_masks(text, kind, masked):
    assert [f.kind for f in pt.find(text)] == [kind]
    assert pt.mask(text) == masked


@pytest.mark.parametrize(
    "text",
    ["3号楼2单元，共5户", "2026-12-03 12:03", "订单号 202612031203", "第3号 2024年", "共有1200户", "价格 13.5 元"],
)
def test_ordinary_numbers_stay(text):
    assert pt.find(text) == []
    assert pt.mask(text) == text


# Street addresses (issue 12): every digit of the number masked, the street's name kept.
STREET_ADDRESSES = [
    ("人民路12号", "人民路**号"),
    ("解放大道318号", "解放大道***号"),
    ("中山北路3弄5号", "中山北路*弄*号"),
    ("幸福街道88号院", "幸福街道**号院"),
    ("翠园小区3栋2单元401", "翠园小区*栋*单元***"),
    ("幸福家园12号", "幸福家园**号"),
    ("家住人民路12号3栋2单元401，", "家住人民路**号*栋*单元***，"),
    ("人民路12-3号", "人民路**-*号"),
    ("东大街１２号", "东大街**号"),  # full-width digits
]

# Judged not personal: no street or estate before the number, a building without its room, a date,
# a numbered line, document or vehicle after a street's name.
NOT_ADDRESSES = [
    "第3号议题",
    "12号线地铁",
    "3号楼的路灯",
    "翠园小区3号楼的路灯",
    "翠园小区3号楼2单元门口",
    "坐3路公交到12号",
    "我知道3号开会",
    "到12号截止",
    "人民路12号线",
    "街道3号文件",
    "甲街道3号楼前",
    "人民路上的井盖",
]


@pytest.mark.parametrize(("text", "masked"), STREET_ADDRESSES)
def test_finds_and_masks_street_addresses(text, masked):
    assert [f.kind for f in pt.find(text)] == ["address"]
    assert pt.mask(text) == masked
    assert pt.screen_public_text(text) == masked


@pytest.mark.parametrize("text", NOT_ADDRESSES)
def test_ordinary_numbered_things_are_not_addresses(text):
    assert pt.find(text) == []
    assert pt.screen_public_text(text) == text


def test_erasure_masks_street_addresses_in_the_persons_own_text(known):
    own = "我家在人民路12号，另一处中山北路3弄5号，翠园小区3栋2单元401"
    redacted = pt.redact(own, known, own=True)
    assert redacted == "我家在人民路**号，另一处中山北路*弄*号，翠园小区*栋*单元***"


def test_markdown_screening_escapes_the_mask():
    assert pt.screen_public_text("电话13812345678", markdown=True) == "电话138\\*\\*\\*\\*5678"
    assert pt.screen_public_text("电话13812345678") == "电话138****5678"


@pytest.mark.parametrize(
    "upload",
    [
        "/media/forum/ab13812345678cd00112233445566778.png",  # a mobile number's shape inside the name
        "/media/microblog/110102198001011234aaaaaaaaaaaaaa.jpg",  # an ID number's shape
        "/media/forum/0102555512340000000000000000dead.webp",  # a landline's shape
    ],
)
def test_the_servers_upload_names_are_not_personal_data(upload):
    """Upload names are a uuid4's hex (content/uploads.py): masking a digit run inside one broke the image
    link at submission, and erasure then could not find the file to delete (a flaky erasure test)."""
    text = f"![]({upload}) 电话13812345678"
    assert [f.text for f in pt.find(text)] == ["13812345678"]
    assert pt.screen_public_text(text, markdown=True) == f"![]({upload}) 电话138\\*\\*\\*\\*5678"


@pytest.fixture
def known():
    return pt.KnownPersonalData(
        names={"欧阳明远", "明远爸爸", "王"},  # one character is too short to redact everywhere
        phones={"13912345678"},
        id_hashes={id_hash(ID)},
        homes=[pt.Home("1号楼", "1", "1502")],
    )


def test_redacts_known_data_in_anyones_text(known):
    staff = f"已联系欧阳明远（139-1234-5678），1号楼1单元1502室，身份证{ID}，王师傅处理。另一位 13800138000"
    redacted = pt.redact(staff, known)
    for gone in ("欧阳明远", "1234-5678", "1502", ID):
        assert gone not in redacted
    assert "王师傅" in redacted  # a one-character name is not redacted in others' text
    assert "13800138000" in redacted  # someone else's number, in someone else's text, stays


def test_own_text_loses_every_number_and_the_room(known):
    own = "我住1502，电话13800138000，朋友的身份证110105194912310021"
    redacted = pt.redact(own, known, own=True)
    assert "1502" not in redacted and "13800138000" not in redacted and "110105194912310021" not in redacted


def test_redacts_inside_json(known):
    value = {"title": "明远爸爸的提议", "blocks": [{"value": "电话 13912345678"}], "n": 3}
    assert pt.redact_json(value, known) == {"title": "***的提议", "blocks": [{"value": "电话 ***"}], "n": 3}
