"""Reads the ORM builds once per process: for the few queries that run on nearly every signed-in request.

The ORM spends about 200 µs building and compiling a one-table query that the database answers in 15 µs
(measured on the benchmark city: docs/performance.md). A `Statement` is written as an ordinary queryset, built
from its parameters, and compiled once per process and database with markers in place of the parameters; each
call then runs the compiled SQL with the values put where the markers were, and the ORM's converters applied to
the rows (a datetime from SQLite is a datetime, as with the queryset).

    _statuses = Statement(lambda user, community: Membership.objects.filter(
        user_id=user, community_id=community).values_list("status"))
    _statuses(user=7, community=2)  # [("verified",)]

Only values queries (`values_list`) of a fixed shape: no `__in` lists (their length changes the SQL), no
lookups that rewrite the value (`contains` wraps it in %), no model instances. Every value that changes from
call to call must be a parameter: a constant computed when the queryset is built (`now()`) would be compiled
in for good, so a datetime constant, or anything that differs between two builds, is refused.
"""

import datetime
import inspect
import threading
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet

# Parameters are compiled as these numbers (or their text, for a text column): values no query of ours has as
# a constant, inside every integer column's range (Django drops a lookup on a value out of range).
_MARKER_BASE = 2_147_000_731


class Statement:
    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self.names = tuple(inspect.signature(build).parameters)
        self._compiled: dict[tuple, tuple] = {}
        self._lock = threading.Lock()

    def __call__(self, *, using: str = "default", **values) -> list[tuple]:
        if set(values) != set(self.names):
            raise TypeError(f"this statement takes {', '.join(self.names)}; got {', '.join(sorted(values))}")
        connection = connections[using]
        compiler, sql, params, slots = self._compiled_for(connection)
        params = list(params)
        for index, name in slots:
            params[index] = values[name]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return list(compiler.results_iter([rows], tuple_expected=True))

    def column(self, **values) -> list:
        """The first value of each row."""
        return [row[0] for row in self(**values)]

    def first(self, default=None, **values):
        """The first value of the first row, or `default` when there is none."""
        rows = self(**values)
        return rows[0][0] if rows else default

    def _compiled_for(self, connection) -> tuple:
        key = (connection.alias, connection.vendor, connection.settings_dict["NAME"])
        try:
            return self._compiled[key]
        except KeyError:
            with self._lock:
                compiled = self._compiled[key] = self._compile(connection)
            return compiled

    def _compile(self, connection) -> tuple:
        markers = {name: _MARKER_BASE + i for i, name in enumerate(self.names)}
        queryset = self.build(**markers)
        if queryset._iterable_class.__name__ not in ("ValuesListIterable", "FlatValuesListIterable"):
            raise TypeError("a Statement reads values: end its queryset with values_list(...)")
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if (sql, params) != self.build(**markers).query.get_compiler(connection=connection).as_sql():
            raise ValueError("a Statement compiles its constants in for good: one changed between two builds")
        by_marker = {value: name for name, value in markers.items()}
        by_marker.update({str(value): name for name, value in markers.items()})
        slots, found = [], set()
        for index, param in enumerate(params):
            name = by_marker.get(param) if isinstance(param, int | str) and not isinstance(param, bool) else None
            if name is not None:
                slots.append((index, name))
                found.add(name)
            elif isinstance(param, datetime.date | datetime.time):
                raise ValueError(f"a Statement compiles its constants in for good: pass {param!r} as a parameter")
        missing = set(self.names) - found
        if missing:
            raise ValueError(f"parameters {sorted(missing)} do not reach the SQL as values (an __in list?)")
        return compiler, sql, tuple(params), tuple(slots)
