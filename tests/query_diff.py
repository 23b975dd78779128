"""What a query-count test prints when a count moved: the queries that differ, not every query."""

import difflib
import re

_VALUES = re.compile(r"'[^']*'|\b\d+\b|\"_django_curs_\w+\"")


def shape(sql: str) -> str:
    """The query with its values (ids, strings, a cursor's name) blanked and cut short, so that the same
    query for other rows compares equal."""
    return _VALUES.sub("?", sql)[:300]


def difference(before: list[str], after: list[str]) -> list[str]:
    """The unified diff of two requests' queries (by shape): the lines starting with - or + are what moved."""
    lines = difflib.unified_diff([shape(q) for q in before], [shape(q) for q in after], lineterm="", n=1)
    return list(lines)[2:]
