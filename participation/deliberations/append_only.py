"""Ballots, their log entries and the running commitments can be inserted, never changed or deleted.

The database enforces it, so that a change made outside the vote path needs someone who can
disable a trigger (and is then reported: see ballots.commitment_problems). PostgreSQL: a row
trigger like the audit log's. SQLite: one BEFORE UPDATE and one BEFORE DELETE trigger per table.

Installed by migration 0006. On SQLite, a later migration that rebuilds one of these tables
(AlterField and the like) drops its triggers: such a migration must install them again
(`install(schema_editor)`); the append-only tests fail if it does not.
"""

from contextlib import contextmanager

TABLES = ("deliberations_ballot", "deliberations_logentry", "deliberations_ballotcommitment")
# Every ballot box's tables (an election's too: participation.elections registers them): what
# suspended() lifts the triggers of.
REGISTERED = list(TABLES)
MESSAGE = "ballots are append-only"

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION deliberations_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = '{MESSAGE}: ' || TG_OP || ' on ' || TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def _postgres_create(table: str) -> str:
    return (
        f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
        "FOR EACH ROW EXECUTE FUNCTION deliberations_append_only();"
    )


def _sqlite_create(table: str) -> list[str]:
    return [
        f'CREATE TRIGGER IF NOT EXISTS "{table}_no_{op.lower()}" BEFORE {op} ON "{table}" '
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
        for op in ("UPDATE", "DELETE")
    ]


def register(*tables: str) -> None:
    """Another ballot box's tables (call from AppConfig.ready; its migration calls install(…, tables))."""
    REGISTERED.extend(t for t in tables if t not in REGISTERED)


def create_statements(vendor: str, tables=TABLES) -> list[str]:
    if vendor == "postgresql":
        return [POSTGRES_FUNCTION] + [_postgres_create(table) for table in tables]
    if vendor == "sqlite":
        return [sql for table in tables for sql in _sqlite_create(table)]
    return []


def drop_statements(vendor: str, tables=TABLES, *, keep_function=False) -> list[str]:
    if vendor == "postgresql":
        drops = [f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}";' for table in tables]
        return drops if keep_function else drops + ["DROP FUNCTION IF EXISTS deliberations_append_only();"]
    if vendor == "sqlite":
        return [f'DROP TRIGGER IF EXISTS "{table}_no_{op}";' for table in tables for op in ("update", "delete")]
    return []


def install(schema_editor, tables=TABLES) -> None:
    for sql in create_statements(schema_editor.connection.vendor, tables):
        schema_editor.execute(sql)


def uninstall(schema_editor, tables=TABLES, *, keep_function=False) -> None:
    for sql in drop_statements(schema_editor.connection.vendor, tables, keep_function=keep_function):
        schema_editor.execute(sql)


@contextmanager
def suspended(connection):
    """Only for emptying a whole test database (SQLite's flush is DELETE FROM, which the triggers refuse;
    PostgreSQL's is TRUNCATE, which row triggers do not see). Nothing in the portal uses it."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        for sql in drop_statements(vendor, REGISTERED) if vendor == "sqlite" else []:
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in create_statements(vendor, REGISTERED) if vendor == "sqlite" else []:
                cursor.execute(sql)
