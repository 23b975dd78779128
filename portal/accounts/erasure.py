"""Erasure that erases (PIPL art. 47): what happens to a person's data in every app when they delete
their account.

`portal` knows nothing of the apps above it, so each app registers where it keeps a person's data
(from `AppConfig.ready`, usually in its `privacy.py`):

    erasure.register_text(Post, ["body", "body_html"], own="author")   # free text: redacted
    erasure.register_text(ComplaintEvent, ["text"], own="complaint__reporter")
    erasure.register_files(ComplaintPhoto, "image", own="complaint__reporter")  # uploads: deleted
    erasure.register_rows(Notification, own="recipient")             # rows: deleted
    erasure.register_known(lambda user, known: known.phones.update(...))  # more of what identifies them

Text rows "of" the person (`own`: by them or about them: their posts, their complaint and the replies
to it) lose every phone number, ID number and door number, and the person's known data (names, phone
in any format, ID number, home address). Every other registered text row that mentions their names,
phone, ID number or address (a staff reply naming them, a quote of their post, Wagtail's revisions
and log) loses those. Rows are saved one by one, so the search index re-indexes them.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast

from .personal_text import Home, KnownPersonalData, redact, redact_json


@dataclass
class TextSource:
    model: type[models.Model]
    fields: tuple[str, ...]
    own: tuple[str, ...]  # lookups from a row to the person it is by or about
    scan: bool  # also look through every other row for the person's data
    media_in_text: bool  # delete uploaded files (MEDIA_URL links) in the person's own rows


@dataclass
class FileSource:
    model: type[models.Model]
    field: str
    own: str
    keep: Callable | None  # (queryset of the person's rows) -> the rows a law requires to keep


logger = logging.getLogger(__name__)

_texts: list[TextSource] = []
_files: list[FileSource] = []
_rows: list[tuple[type[models.Model], str]] = []
_known: list[Callable] = []


def _own(own) -> tuple[str, ...]:
    if own is None:
        return ()
    return (own,) if isinstance(own, str) else tuple(own)


def register_text(model, fields, *, own=None, scan: bool = True, media_in_text: bool = False) -> None:
    source = TextSource(model, tuple(fields), _own(own), scan, media_in_text)
    if not any(s.model is model and s.fields == source.fields for s in _texts):
        _texts.append(source)


def register_files(model, field: str, *, own: str, keep: Callable | None = None) -> None:
    if not any(s.model is model and s.field == field for s in _files):
        _files.append(FileSource(model, field, own, keep))


def register_rows(model, *, own: str) -> None:
    """Rows that are only about the person (their notifications, read marks): deleted."""
    if (model, own) not in _rows:
        _rows.append((model, own))


def register_known(collect: Callable) -> None:
    """`collect(user, known)` adds to the KnownPersonalData what the app knows identifies the person."""
    if collect not in _known:
        _known.append(collect)


def row_sources() -> list[tuple[type[models.Model], str]]:
    return list(_rows)


def text_sources() -> list[TextSource]:
    return list(_texts)


def file_sources() -> list[FileSource]:
    return list(_files)


# --- what identifies the person -------------------------------------------------------------------


def known_personal_data(user) -> KnownPersonalData:
    from .models import Membership

    known = KnownPersonalData()
    for value in (user.display_name, user.first_name, user.last_name, user.email):
        if value and value.strip():
            known.names.add(value.strip())
    if user.username and len(user.username) >= 4:
        known.names.add(user.username)
    if user.phone:
        known.phones.add(user.phone)
    for m in Membership.objects.filter(user=user).select_related("home__building"):
        if m.real_name.strip():
            known.names.add(m.real_name.strip())
        if m.id_hash:
            known.id_hashes.add(m.id_hash)
        if m.home:
            known.homes.append(Home(m.home.building.name, m.home.unit, m.home.room))
    for collect in _known:
        collect(user, known)
    return known


# --- erasing --------------------------------------------------------------------------------------


def _is_json(model, name) -> bool:
    return isinstance(model._meta.get_field(name), models.JSONField)


def _scan_filter(source: TextSource, known: KnownPersonalData) -> Q:
    """Rows whose text may mention the person (the database narrows, Python decides)."""
    needles = set(known.needles())
    needles |= {h.room for h in known.homes}
    q = Q()
    phone_re = known.phone_regex()
    for name in source.fields:
        if _is_json(source.model, name):
            text = f"_erasure_{name}"
            for needle in needles:
                # SQLite keeps JSON with \\u escapes, PostgreSQL with the characters.
                q |= Q(**{f"{text}__contains": needle}) | Q(**{f"{text}__contains": json.dumps(needle)[1:-1]})
        else:
            text = name
            for needle in needles:
                q |= Q(**{f"{text}__contains": needle})
        if phone_re:
            q |= Q(**{f"{text}__regex": phone_re})
        if known.id_hashes:
            q |= Q(**{f"{text}__regex": "[0-9]{17}[0-9Xx]"})
    return q


def _annotated(source: TextSource):
    qs = source.model._base_manager.all()
    casts = {f"_erasure_{n}": Cast(n, models.TextField()) for n in source.fields if _is_json(source.model, n)}
    return qs.annotate(**casts) if casts else qs


MEDIA_LINK = r"!?\[[^\]]*\]\({url}\)|{url}"


def _delete_linked_media(text: str) -> str:
    media_url = settings.MEDIA_URL
    if not text or not media_url or media_url not in text:
        return text
    for url in set(re.findall(re.escape(media_url) + r"[\w./-]+", text)):
        name = url[len(media_url) :]
        if default_storage.exists(name):
            default_storage.delete(name)
        text = re.sub(MEDIA_LINK.format(url=re.escape(url)), "", text)
    return text


def _redact_row(row, source: TextSource, known: KnownPersonalData, own: bool) -> bool:
    changed = []
    for name in source.fields:
        value = getattr(row, name)
        if _is_json(source.model, name):
            new = redact_json(value, known, own=own)
        else:
            new = value
            if own and source.media_in_text:
                new = _delete_linked_media(new)
            new = redact(new, known, own=own)
        if new != value:
            setattr(row, name, new)
            changed.append(name)
    if changed:
        row.save(update_fields=changed)
    return bool(changed)


def erase_personal_data(user, known: KnownPersonalData | None = None) -> dict:
    """Redact, delete and unlink everything registered about `user`. Returns counts per kind."""
    known = known or known_personal_data(user)
    counts = {"texts": 0, "files": 0, "rows": 0}
    for source in _files:
        rows = source.model._base_manager.filter(**{source.own: user})
        kept = source.keep(rows) if source.keep else source.model._base_manager.none()
        for row in rows.exclude(pk__in=kept.values("pk")):
            file = getattr(row, source.field)
            if file:
                file.delete(save=False)
            row.delete()
            counts["files"] += 1
    for source in _texts:
        own_q = Q()
        for lookup in source.own:
            own_q |= Q(**{lookup: user})
        own_pks = set()
        if source.own:
            for row in list(source.model._base_manager.filter(own_q).distinct()):
                own_pks.add(row.pk)
                counts["texts"] += _redact_row(row, source, known, own=True)
        if source.scan:
            for row in list(_annotated(source).filter(_scan_filter(source, known)).exclude(pk__in=own_pks)):
                counts["texts"] += _redact_row(row, source, known, own=False)
    for model, own in _rows:
        deleted, _by_model = model._base_manager.filter(**{own: user}).delete()
        counts["rows"] += deleted
    # Cached public pages (the forum's, 反光镜) were rendered with the person's data in them.
    from portal.core import page_cache

    page_cache.purge_all()
    # The id only: kept apart from the database, so erasure can be re-applied after restoring a backup.
    logger.info("Erased the personal data of account %s: %s", user.pk, counts)
    return counts


def remove_orphaned_homes(home_ids) -> int:
    """Homes nobody is a member of any more go (their address is the person's)."""
    from django.db.models import ProtectedError

    from .models import Home

    removed = 0
    for home in Home.objects.filter(pk__in=home_ids, memberships__isnull=True):
        try:
            home.delete()
            removed += 1
        except ProtectedError:  # something else still points at it (a voter register): kept
            continue
    return removed
