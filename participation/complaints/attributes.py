"""A category's service attributes (Open311 `GET services/{code}`): what the city needs asked.

`validate()` is the one validator: the complaint form and any other channel (the WeChat dialogue)
turn the resident's answers into the values delivery sends as `attribute[code]`.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
MAX_LENGTH = {"string": 200, "text": 2000}


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    required: bool
    description: str  # the question, as the city words it
    help: str = ""  # datatype_description
    choices: tuple[tuple[str, str], ...] = ()  # (key, name) for the list types
    order: int = 0


def _true(value) -> bool:
    return str(value).strip().lower() == "true" or value is True


def definitions(category) -> list["Attribute"]:
    """The attributes a resident answers for this category, in the city's order. Attributes the city
    marks `variable: false` are informational and not asked; unknown datatypes are asked as text."""
    found = []
    for item in category.attributes or []:
        if not isinstance(item, dict) or not item.get("code") or str(item.get("variable", "true")).lower() == "false":
            continue
        datatype = str(item.get("datatype") or "string").lower()
        values = item.get("values") or []
        choices = tuple(
            (str(v["key"]), str(v.get("name") or v["key"])) for v in values if isinstance(v, dict) and "key" in v
        )
        try:
            order = int(item.get("order") or 0)
        except (TypeError, ValueError):
            order = 0
        found.append(
            Attribute(
                code=str(item["code"]),
                datatype=datatype if datatype in DATATYPES else "string",
                required=_true(item.get("required")),
                description=str(item.get("description") or item["code"]),
                help=str(item.get("datatype_description") or ""),
                choices=choices,
                order=order,
            )
        )
    return sorted(found, key=lambda a: a.order)


def clean_value(attribute: Attribute, raw):
    """One answer, checked against its attribute: the value to send, or None when left empty.
    Raises ValidationError with a message for the resident."""
    if attribute.datatype == "multivaluelist":
        picked = [str(v) for v in (raw if isinstance(raw, list | tuple) else [raw]) if str(v or "").strip()]
        if not picked:
            return _missing(attribute)
        keys = {key for key, _name in attribute.choices}
        if any(p not in keys for p in picked):
            raise ValidationError(_("Choose only from the listed answers."))
        return list(dict.fromkeys(picked))
    if isinstance(raw, list | tuple):
        raw = raw[0] if raw else ""
    text = str(raw or "").strip()
    if not text:
        return _missing(attribute)
    if attribute.datatype == "singlevaluelist":
        if text not in {key for key, _name in attribute.choices}:
            raise ValidationError(_("Choose one of the listed answers."))
        return text
    if attribute.datatype == "number":
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValidationError(_("Give a number, e.g. 3 or 2.5."))
        return str(number)
    if attribute.datatype == "datetime":
        moment = parse_datetime(text.replace(" ", "T", 1) if "T" not in text else text)
        if moment is None:
            raise ValidationError(_("Give a date and time, e.g. 2026-12-03 14:30."))
        return moment.isoformat()
    limit = MAX_LENGTH.get(attribute.datatype, 200)
    if len(text) > limit:
        raise ValidationError(_("Up to %(max)s characters.") % {"max": limit})
    return text


def _missing(attribute: Attribute):
    if attribute.required:
        raise ValidationError(_("The city needs this answer."))
    return None


def validate(category, answers: dict) -> tuple[dict, dict]:
    """All of a category's answers: (values to store and send, {code: [messages]})."""
    values, errors = {}, {}
    for attribute in definitions(category):
        try:
            value = clean_value(attribute, answers.get(attribute.code))
        except ValidationError as exc:
            errors[attribute.code] = exc.messages
            continue
        if value is not None:
            values[attribute.code] = value
    return values, errors


def request_fields(category, values: dict) -> dict:
    """The stored answers as Open311 POST fields: attribute[code], or attribute[code][] per chosen key."""
    fields = {}
    known = {a.code: a for a in definitions(category)}
    for code, value in (values or {}).items():
        if code not in known:
            continue  # the city no longer asks it
        if isinstance(value, list):
            fields[f"attribute[{code}][]"] = list(value)
        else:
            fields[f"attribute[{code}]"] = value
    return fields
