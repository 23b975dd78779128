"""Build once, then write the same rows: the test city without provisioning it in every test.

`build_city()` provisions a city through the real code (Wagtail page trees, Sites, collections, groups
and their permissions, workflows): about a second of CPU on PostgreSQL, in most of the suite's tests.
From the same database state it writes the same rows every time. So the first build in a process runs
for real inside a savepoint, recording every table before and after (the whole test database is about a
thousand rows) and which tables its queries named; the savepoint is rolled back, and that build and every
later one write the recorded rows instead (rows deleted or changed by the build are replaced).

A recording is replayed only where it is exact:
* inside a transaction (the usual test): a transactional test builds for real, since the build's
  on-commit callbacks (search batches, cache bumps) would run there and change more than its rows;
* when every table the build read or wrote holds what it held when recorded; otherwise (a test that
  changed one of them first) the real build runs.

Replayed rows keep the ids they were recorded with. On PostgreSQL the sequences moved past them while
recording (a rollback does not move them back); on SQLite new rows take the next id after the largest.
Signals do not fire for replayed rows, so the per-process caches their receivers clear are cleared here
(`forget`).
"""

import re
from collections.abc import Callable

from django.db import connection, transaction

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TRIGGER_WRITES = re.compile(r'(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)', re.IGNORECASE)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


class _Postgres:
    """Rows as JSON text (exact for every column type), written back with json_populate_recordset."""

    derived = False  # no trigger of the schema writes a table

    def __init__(self, cursor, table):
        self.table = table
        self.key = connection.introspection.get_primary_key_column(cursor, table)
        if self.key is None:
            raise LookupError(f"{table} has no primary key")

    def rows(self, cursor) -> dict:
        t = _quote(self.table)
        cursor.execute(f"SELECT {_quote(self.key)}, row_to_json(r)::text FROM {t} r")
        return dict(cursor.fetchall())

    def delete(self, cursor, keys):
        cursor.execute(f"DELETE FROM {_quote(self.table)} WHERE {_quote(self.key)} = ANY(%s)", [list(keys)])

    def insert(self, cursor, rows):
        t = _quote(self.table)
        rows = "[" + ",".join(rows) + "]"
        cursor.execute(f"INSERT INTO {t} SELECT * FROM json_populate_recordset(NULL::{t}, %s)", [rows])


class _SQLite:
    """Rows as tuples; a full-text (virtual) table by rowid. Its shadow tables follow it by themselves,
    and a table that triggers write (Wagtail's full-text index) follows the table they watch."""

    def __init__(self, cursor, table, virtual: bool, derived: bool):
        self.table, self.virtual, self.derived = table, virtual, derived
        self.key = "rowid" if virtual else connection.introspection.get_primary_key_column(cursor, table)
        if self.key is None:
            raise LookupError(f"{table} has no primary key")
        cursor.execute(f"SELECT * FROM {_quote(table)} LIMIT 0")
        self.columns = [column[0] for column in cursor.description]
        if virtual:
            self.columns = ["rowid", *self.columns]

    def rows(self, cursor) -> dict:
        select = ", ".join(_quote(c) if c != "rowid" else "rowid" for c in self.columns)
        cursor.execute(f"SELECT {select} FROM {_quote(self.table)}")
        index = self.columns.index(self.key)
        return {row[index]: row for row in cursor.fetchall()}

    def delete(self, cursor, keys):
        key = "rowid" if self.virtual else _quote(self.key)
        cursor.executemany(f"DELETE FROM {_quote(self.table)} WHERE {key} = %s", [[k] for k in keys])

    def insert(self, cursor, rows):
        columns = ", ".join(_quote(c) if c != "rowid" else "rowid" for c in self.columns)
        marks = ", ".join(["%s"] * len(self.columns))
        cursor.executemany(f"INSERT INTO {_quote(self.table)} ({columns}) VALUES ({marks})", [list(r) for r in rows])


def _tables(cursor) -> dict:
    names = connection.introspection.table_names(cursor)
    if connection.vendor == "postgresql":
        return {name: _Postgres(cursor, name) for name in names}
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")
    virtual = {name for (name,) in cursor.fetchall()}
    shadows = {name for name in names for v in virtual if name.startswith(f"{v}_")}
    cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'")
    derived = {m for (sql,) in cursor.fetchall() for m in TRIGGER_WRITES.findall(sql.split("BEGIN", 1)[-1])}
    return {name: _SQLite(cursor, name, name in virtual, name in derived) for name in names if name not in shadows}


class Recording:
    def __init__(self, tables: dict, before: dict, after: dict, named: set):
        self.tables = tables
        self.changed = {}  # table -> (keys to delete, rows to insert)
        for name, old in before.items():
            new = after[name]
            gone = [k for k, row in old.items() if new.get(k) != row]
            added = [row for k, row in new.items() if old.get(k) != row]
            if gone or added:
                self.changed[name] = (gone, added)
        self.after = {name: after[name] for name in self.changed}
        # What the build depended on: every table it named or wrote, as it was before.
        self.expected = {name: before[name] for name in sorted(named | set(self.changed))}

    def matches(self, cursor) -> bool:
        return all(self.tables[name].rows(cursor) == rows for name, rows in self.expected.items())

    def check_replayed(self, cursor):
        """Right after the first replay: the rows are those the build wrote."""
        differ = [name for name, rows in self.after.items() if self.tables[name].rows(cursor) != rows]
        assert not differ, f"replaying the recorded build did not reproduce the tables {differ}"

    def replay(self, cursor):
        written = {name: change for name, change in self.changed.items() if not self.tables[name].derived}
        for name, (gone, _added) in written.items():
            if gone:
                self.tables[name].delete(cursor, gone)
        for name, (_gone, added) in written.items():
            if added:
                self.tables[name].insert(cursor, added)


_recordings: dict[str, Recording | None] = {}
stats = {"recorded": 0, "replayed": 0, "built": 0}


def _record(build: Callable[[], object]) -> Recording:
    with connection.cursor() as cursor:
        tables = _tables(cursor)
        before = {name: table.rows(cursor) for name, table in tables.items()}
    named = set()

    def note(execute, sql, params, many, context):
        named.update(WORD.findall(sql))
        return execute(sql, params, many, context)

    with transaction.atomic():
        with connection.execute_wrapper(note):
            value = build()
        with connection.cursor() as cursor:
            after = {name: table.rows(cursor) for name, table in tables.items()}
        transaction.set_rollback(True)
    recording = Recording(tables, before, after, named & set(tables))
    recording.value = value
    return recording


def built(key: str, build: Callable[[], object], forget: Callable[[], None], result: Callable | None = None):
    """build() -> its result; or the rows it wrote when recorded under `key`, then result() read from them
    (without `result`, what build() returned when recorded: plain values, not model instances)."""
    if not connection.in_atomic_block:
        stats["built"] += 1
        return build()
    recording = _recordings.get(key)
    with connection.cursor() as cursor:
        if recording is None or not recording.matches(cursor):
            recording = _recordings[key] = _record(build)
            recording.replay(cursor)
            recording.check_replayed(cursor)
            stats["recorded"] += 1
        else:
            recording.replay(cursor)
            stats["replayed"] += 1
    forget()
    return result() if result else recording.value
