"""The project's own translatable strings (Python and templates) and the zh-hans catalogues' entries.

Pure Python (no GNU gettext): `ast` finds gettext calls in Python files; Django's own `templatize`
(what `makemessages` feeds xgettext) turns {% trans %} / {% blocktrans %} into gettext calls.
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import polib
from django.conf import settings
from django.utils.translation.template import templatize

SOURCE_PACKAGES = ("portal", "communities", "participation", "themes")
# name -> (index of msgid, index of context or None)
PY_FUNCTIONS = {
    "_": (0, None),
    "gettext": (0, None),
    "gettext_lazy": (0, None),
    "gettext_noop": (0, None),
    "ngettext": (0, None),
    "ngettext_lazy": (0, None),
    "pgettext": (1, 0),
    "pgettext_lazy": (1, 0),
    "npgettext": (1, 0),
    "npgettext_lazy": (1, 0),
}
STRING = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
TEMPLATE_CALL = re.compile(rf"\b(n?p?gettext)\(\s*({STRING})(?:\s*,\s*({STRING}))?")


@dataclass(frozen=True)
class Message:
    context: str | None
    msgid: str
    where: str


def _literal(call: ast.Call, i: int) -> str | None:
    arg = call.args[i] if len(call.args) > i else None
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def _from_python(path: Path, base: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name not in PY_FUNCTIONS:
            continue
        msgid_at, context_at = PY_FUNCTIONS[name]

        msgid = _literal(node, msgid_at)
        if msgid:
            context = _literal(node, context_at) if context_at is not None else None
            yield Message(context, msgid, f"{path.relative_to(base)}:{node.lineno}")


def _from_template(path: Path, base: Path):
    source = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for match in TEMPLATE_CALL.finditer(source):
        function, first, second = match.groups()
        first = ast.literal_eval(first)
        if function.startswith(("pgettext", "npgettext")):
            context, msgid = first, ast.literal_eval(second) if second else None
        else:
            context, msgid = None, first
        if msgid:
            yield Message(context, msgid, str(path.relative_to(base)))


def project_messages() -> list[Message]:
    base = Path(settings.BASE_DIR)
    found = []
    for package in SOURCE_PACKAGES:
        for path in sorted((base / package).rglob("*")):
            if "migrations" in path.parts or "__pycache__" in path.parts or not path.is_file():
                continue
            if path.suffix == ".py":
                found.extend(_from_python(path, base))
            elif path.suffix in (".html", ".txt") and "templates" in path.parts:
                found.extend(_from_template(path, base))
    return found


def zh_catalogues() -> list[Path]:
    base = Path(settings.BASE_DIR)
    return sorted(p for p in base.glob("**/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts)


def is_translated(entry: polib.POEntry) -> bool:
    if entry.obsolete or "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr.strip())
