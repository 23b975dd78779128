"""Personal data inside free text: the one place that finds, masks and redacts it.

* `find(text)` lists the phone numbers (mobile and landline, with +86/0086, spaces, dashes, dots,
  full-width digits), ID numbers (18 and 15 characters) and addresses written in a text: a door
  (3号楼2单元1203室, 3栋1203, 3-2-1203, 1203室), a street number (人民路12号, 解放大道318号,
  中山北路3弄5号, 幸福街道88号院) and a door in a named estate (翠园小区3栋2单元401).
* `mask(text)` shows them masked (138****5678, 11**************1X, 3号楼2单元****室, 人民路**号,
  翠园小区*栋*单元***): used wherever a resident's text is shown to the public, and at submission of
  public text (`screen_public_text`), so public text never even stores them.

  Judged not personal, and left as written: a building without its room (3号楼的路灯, 3号楼2单元,
  翠园小区3号楼), numbered things that follow no street or estate name (第3号议题, 12号线地铁, 3路公交),
  dates (到12号, 12号上午), and a street number followed by what makes it a document, a line or a
  vehicle (人民路12号线, 街道3号文件).
* `redact(text, known)` removes one person's known data (names, phone in any format, ID number,
  address) when their account is deleted (see `erasure.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .identity import id_hash, mask_id_number
from .phone import mask_phone

REDACTED = "***"

# Full-width digits and separators count as their ASCII forms (one character for one, so offsets hold).
_WIDE = str.maketrans("０１２３４５６７８９－＋（）．", "0123456789-+().")

_SEP = r"[ \t.\-]"
MOBILE_RE = re.compile(rf"(?<!\d)(?:(?:\+|00)86{_SEP}?)?(1[3-9]\d(?:{_SEP}?\d){{8}})(?!\d)")
LANDLINE_RE = re.compile(rf"(?<!\d)(\(?0\d{{2,3}}\)?){_SEP}?(\d{{3,4}}){_SEP}?(\d{{4}})(?!\d)")
# The server's own upload names (participation/content/uploads.py: a uuid4's hex): a run of digits inside one
# is not a phone number, and masking it would break the link (and erasure could no longer find the file).
UPLOAD_NAME_RE = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{32}(?![0-9A-Za-z])")
ID_RE = re.compile(r"(?<![\dA-Za-z])(\d{17}[\dXx]|\d{15})(?![\dA-Za-z])")
# A door: building (号楼/栋/幢/座), optional unit, then the room; or 3-2-1203; or a room number with 室.
ADDRESS_RES = (
    re.compile(
        r"(?<!\d)\d{1,4}\s*(?:号楼|号|栋|幢|座)\s*(?:\d{1,2}\s*(?:单元|门)\s*)?(?:[-－]\s*)?(?P<room>\d{3,4})(?:\s*[室号房])?(?![\d年])"
    ),
    re.compile(r"(?<![\d-])\d{1,4}-\d{1,2}-(?P<room>\d{3,4})(?![\d-])"),
    re.compile(r"(?<!\d)(?P<room>\d{3,4})\s*(?:室|房间)"),
)
# A street number: a street's name (路, 街, 大道, 大街, 街道, 巷, 胡同, 公路), then its number, lanes (弄, 巷)
# included, then 号 or 号院: 人民路12号, 中山北路3弄5号, 幸福街道88号院. Every digit of the number is
# masked. Not a street: one ending in 道 alone (知道3号), 里 (这里12号) or a digit (3路公交). A building
# (甲街道3号楼) is not a home: its room, if written, is the door rule's.
_CJK = "\u4e00-\u9fff"
STREET_RE = re.compile(
    rf"[{_CJK}]{{1,8}}?(?:大道|大街|街道|公路|胡同|路|街|巷)\s*"
    r"(?P<room>\d{1,5}(?:\s*(?:弄|巷|支弄|[-－之])\s*\d{1,5})*\s*号院?(?![楼线文令议会车]|\d+年)"
    # and the door behind it, if written: 人民路12号3栋2单元401
    r"(?:\s*\d{1,4}\s*(?:号楼|栋|幢|座))?(?:\s*\d{1,2}\s*(?:单元|门))?(?:\s*[-－]?\s*\d{3,4}(?![\d年])(?:\s*[室号房])?)?)"
)
# A door in a named estate: 翠园小区3栋2单元401, 幸福家园12号. With the estate named, the building and unit
# point at a home too: all their digits are masked. A building alone (翠园小区3号楼) is not a home.
ESTATE_RE = re.compile(
    rf"[{_CJK}]{{1,8}}?(?:小区|花园|家园|新村|公寓|大厦|苑|园|村)\s*"
    r"(?P<room>\d{1,4}\s*(?:号楼|栋|幢|座)\s*(?:\d{1,2}\s*(?:单元|门)\s*)?(?:[-－]\s*)?\d{3,4}(?:\s*[室号房])?"
    r"|\d{1,4}\s*号(?![楼\d]))(?![\d年])"
)


@dataclass(frozen=True)
class Finding:
    kind: str  # "phone", "id_number", "address"
    start: int
    end: int
    text: str
    # For addresses: the span of the room number (what is masked); else the whole finding.
    mask_start: int = 0
    mask_end: int = 0


def _digits(value: str) -> str:
    return re.sub(r"\D", "", (value or "").translate(_WIDE))


def find(text: str) -> list[Finding]:
    """Phone numbers, ID numbers and home addresses in `text`, in order, not overlapping."""
    if not text:
        return []
    plain = text.translate(_WIDE)
    found: list[Finding] = []
    upload_names = [m.span() for m in UPLOAD_NAME_RE.finditer(plain)]

    def free(start, end):
        taken = [(f.start, f.end) for f in found] + upload_names
        return all(end <= taken_start or start >= taken_end for taken_start, taken_end in taken)

    for m in ID_RE.finditer(plain):
        if not free(m.start(), m.end()):
            continue
        # 15 digits are only an ID number when they carry a date (YYMMDD at 7-12).
        if len(m.group(1)) == 15 and not re.match(r"\d{6}\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])", m.group(1)):
            continue
        found.append(Finding("id_number", m.start(), m.end(), text[m.start() : m.end()], m.start(), m.end()))
    for regex in (MOBILE_RE, LANDLINE_RE):
        for m in regex.finditer(plain):
            if free(m.start(), m.end()):
                found.append(Finding("phone", m.start(), m.end(), text[m.start() : m.end()], m.start(), m.end()))
    for regex in (STREET_RE, ESTATE_RE, *ADDRESS_RES):
        for m in regex.finditer(plain):
            if free(m.start(), m.end()):
                found.append(
                    Finding("address", m.start(), m.end(), text[m.start() : m.end()], m.start("room"), m.end("room"))
                )
    return sorted(found, key=lambda f: f.start)


def _masked(finding: Finding, mask_char: str) -> str:
    if finding.kind == "phone":
        digits = _digits(finding.text)
        if digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        elif digits.startswith("0086"):
            digits = digits[4:]
        if len(digits) == 11 and digits.startswith("1"):
            return mask_phone(digits).replace("*", mask_char)
        # A landline: area code and the last two digits stay.
        return digits[:3] + "-" + mask_char * (len(digits) - 5) + digits[-2:]
    if finding.kind == "id_number":
        return mask_id_number(finding.text).replace("*", mask_char)
    before = finding.text[: finding.mask_start - finding.start]
    masked = re.sub(
        r"\d",
        lambda _digit: mask_char,
        finding.text[finding.mask_start - finding.start : finding.mask_end - finding.start].translate(_WIDE),
    )
    after = finding.text[finding.mask_end - finding.start :]
    return before + masked + after


def mask(text: str, mask_char: str = "*") -> str:
    """`text` with every phone number, ID number and door number masked (for the public)."""
    if not text:
        return text
    out, last = [], 0
    for f in find(text):
        out.append(text[last : f.start])
        out.append(_masked(f, mask_char))
        last = f.end
    out.append(text[last:])
    return "".join(out)


def screen_public_text(text: str, *, markdown: bool = False) -> str:
    """What a resident submits for the public (forum, 反光镜, comments, questions, proposals) is stored
    with phone numbers, ID numbers and door numbers masked, so they are never shown, indexed or kept.

    `markdown`: the text is Markdown source; the mask is escaped (\\*) so it is not read as emphasis."""
    return mask(text, "\\*" if markdown else "*")


# --- erasure ----------------------------------------------------------------------------------------


@dataclass
class Home:
    building: str  # 7号楼
    unit: str  # 3, or ""
    room: str  # 1502


@dataclass
class KnownPersonalData:
    """What the portal knows identifies one person, collected before their account is erased."""

    names: set[str] = field(default_factory=set)  # display name, real names, first/last name, e-mail
    phones: set[str] = field(default_factory=set)  # normalised 11-digit mobiles
    id_hashes: set[str] = field(default_factory=set)
    homes: list[Home] = field(default_factory=list)

    def needles(self) -> list[str]:
        """Plain substrings to look for in any text (names of two or more characters, phones as digits)."""
        words = {n for n in self.names if len(n) >= 2}
        words |= self.phones
        return sorted(words, key=len, reverse=True)

    def phone_regex(self) -> str | None:
        """A regular expression (Python and PostgreSQL alike) matching the phones with any separators."""
        if not self.phones:
            return None
        return "|".join("[ .-]?".join(p) for p in sorted(self.phones))

    def home_patterns(self) -> list[re.Pattern]:
        patterns = []
        for home in self.homes:
            room = re.escape(home.room)
            building_digits = _digits(home.building)
            unit = re.escape(home.unit)
            building = re.escape(home.building)
            unit_part = rf"(?:{unit}\s*(?:单元|门|unit)?\s*)?" if home.unit else ""
            patterns.append(
                re.compile(rf"{building}\s*(?:unit\s*)?{unit_part}(?:[-－]\s*)?{room}(?:\s*[室号房])?(?!\d)")
            )
            if building_digits:
                dashes = rf"{building_digits}-{unit}-{room}" if home.unit else rf"{building_digits}-{room}"
                patterns.append(re.compile(rf"(?<![\d-]){dashes}(?![\d-])"))
            patterns.append(re.compile(rf"(?<!\d){room}\s*(?:室|房间)"))
        return patterns


def redact(text: str, known: KnownPersonalData, *, own: bool = False) -> str:
    """`text` without the person's known data.

    `own` is for text by or about the person (their posts, their complaint, replies to it): there any
    phone number, ID number and door number is also masked, and their room number removed wherever it
    stands alone."""
    if not text:
        return text
    for needle in known.needles():
        text = text.replace(needle, REDACTED)
    phone_re = known.phone_regex()
    if phone_re:
        text = re.sub(rf"(?<!\d)(?:(?:\+|00)86[ .-]?)?(?:{phone_re})(?!\d)", REDACTED, text)
    if known.id_hashes:

        def id_sub(m):
            return REDACTED if id_hash(m.group()) in known.id_hashes else m.group()

        text = ID_RE.sub(id_sub, text)
    for pattern in known.home_patterns():
        text = pattern.sub(REDACTED, text)
    if own:
        for home in known.homes:
            text = re.sub(rf"(?<![\d*]){re.escape(home.room)}(?!\d)", REDACTED, text)
        text = mask(text)
    return text


def redact_json(value, known: KnownPersonalData, *, own: bool = False):
    """The same for every string inside JSON (revisions, log entries, StreamField content)."""
    if isinstance(value, str):
        return redact(value, known, own=own)
    if isinstance(value, list):
        return [redact_json(v, known, own=own) for v in value]
    if isinstance(value, dict):
        return {k: redact_json(v, known, own=own) for k, v in value.items()}
    return value
