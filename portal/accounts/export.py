"""The resident's data export, for people: every key gets a translated label, and it lists which staff
looked at their personal data (from the audit log).

Apps that add a section (through `personal_data_requested`) register the labels of their keys:

    export.register_labels({"forum_threads": _("Forum threads"), "title": _("Title")})

A key without a label is a bug: `tests/portal/accounts/test_export.py` fails on it.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

_labels: dict[str, Promise | str] = {
    # account
    "account": _("Account"),
    "username": _("Username"),
    "phone": _("Mobile number"),
    "display_name": _("Display name"),
    "email": _("E-mail"),
    "date_joined": _("Joined"),
    "last_login": _("Last login"),
    "last_login_ip": _("IP address of the last login"),
    # consents
    "consents": _("Consents"),
    "purpose": _("Privacy notice"),
    "version": _("Version"),
    "given_at": _("Given"),
    "withdrawn_at": _("Withdrawn"),
    # memberships
    "memberships": _("Memberships"),
    "community": _("Community"),
    "address": _("Address"),
    "floor_area": _("Floor area (m²)"),
    "real_name": _("Real name"),
    "id_number": _("ID number (masked)"),
    "birth_date": _("Date of birth"),
    "status": _("Status"),
    "reason": _("Reason"),
    "roles": _("Roles"),
    "applied_at": _("Applied"),
    "decided_at": _("Decided"),
    # who looked at the person's data
    "staff_access": _("Staff who looked at your personal data"),
    "at": _("When"),
    "staff": _("Staff member"),
    "what": _("What"),
    "why": _("Reason given"),
    # shared by several sections
    "id": _("Number"),
    "title": _("Title"),
    "description": _("Description"),
    "created_at": _("Created"),
}


def register_labels(labels: dict) -> None:
    _labels.update(labels)


def label(key: str) -> str:
    value = _labels.get(key)
    return str(value) if value is not None else key


def unlabelled_keys(data) -> set[str]:
    """Keys in `data` (nested) that have no label."""
    missing = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if key not in _labels:
                missing.add(key)
            missing |= unlabelled_keys(value)
    elif isinstance(data, list):
        for value in data:
            missing |= unlabelled_keys(value)
    return missing


def _value(value):
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime):
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "DATE_FORMAT")
    if isinstance(value, Promise):
        return str(value)
    return value


def labelled(data):
    """`data` with every key replaced by its label in the active language, values made readable."""
    if isinstance(data, dict):
        return {label(k): labelled(v) for k, v in data.items()}
    if isinstance(data, list):
        return [labelled(v) for v in data]
    return _value(data)


def _cell(value):
    if isinstance(value, list):
        return ", ".join(str(_cell(v)) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{label(k)}: {_cell(v)}" for k, v in value.items())
    value = _value(value)
    return "-" if value in (None, "") else value


def sections(data: dict) -> list[dict]:
    """The export as page sections: a list of fields, or a table of rows, each with its label."""
    out = []
    for key, value in data.items():
        section = {"key": key, "title": label(key), "fields": [], "columns": [], "rows": []}
        if isinstance(value, dict):
            section["fields"] = [(label(k), _cell(v)) for k, v in value.items()]
        elif isinstance(value, list):
            columns = []
            for row in value:
                for k in row if isinstance(row, dict) else ():
                    if k not in columns:
                        columns.append(k)
            section["columns"] = [label(c) for c in columns] or [label(key)]
            section["rows"] = [
                [_cell(row.get(c)) for c in columns] if isinstance(row, dict) else [_cell(row)] for row in value
            ]
        else:
            section["fields"] = [(label(key), _cell(value))]
        out.append(section)
    return out


# --- the audit log, told to the person -------------------------------------------------------------

_WHAT = [
    (re.compile(r"^view account in admin user editor$"), _("Opened your account in the admin")),
    (re.compile(r"^view membership \(masked\)$"), _("Viewed your membership (masked)")),
    (
        re.compile(r"^reveal phone, real name, room, date of birth$"),
        _("Revealed your mobile number, real name, room and date of birth"),
    ),
    (re.compile(r"^view complaint \(masked\)$"), _("Viewed your complaint (masked)")),
    (
        re.compile(r"^reveal complaint #(?P<id>\d+)"),
        _("Revealed your name, phone, address and location on complaint #%(id)s"),
    ),
]


def describe(what: str) -> str:
    for pattern, text in _WHAT:
        m = pattern.match(what)
        if m:
            return str(text) % m.groupdict() if m.groupdict() else str(text)
    return what


def staff_access(user) -> list[dict]:
    """Every time someone other than the person looked at or revealed their personal data."""
    from portal.audit.models import AuditEntry

    entries = (
        AuditEntry.objects.filter(subject=user)
        .exclude(actor=user)
        .select_related("actor", "community")
        .order_by("at", "pk")
    )
    return [
        {
            "at": e.at,
            "staff": e.actor.public_name if e.actor_id and e.actor else gettext("system"),
            "community": e.community.name if e.community_id and e.community else "",
            "what": describe(e.what),
            "why": e.why,
        }
        for e in entries
    ]
