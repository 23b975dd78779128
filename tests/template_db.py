"""On PostgreSQL, migrate once per version of the code, not once per pytest-xdist worker.

Migrating the test database costs about 40 s of CPU, and every worker of `make test` paid it. Here the
first worker to arrive migrates its own database as usual and then copies it as a template
(`CREATE DATABASE ... TEMPLATE`); the other workers, and later runs of the same code, clone the template
(under a second) instead of migrating. The template's name carries a fingerprint of everything the
migrated database depends on: every migration module of every installed app, the project's own code (its
models and post_migrate receivers), the installed distributions and their versions, INSTALLED_APPS. Any
change makes a new name, so a stale template is never used (a fresh checkout of the same code reuses the
one a previous run made, which is the same database); older templates of the same database name are
dropped when a new one is made. Nothing connects to a template after it is made, so no test changes it.

On SQLite in memory the template is a file in the temporary folder, copied with SQLite's backup API; the
browser tests' server (a SQLite file) starts from the same file when it exists (migrated_sqlite_file).
"""

import contextlib
import fcntl
import hashlib
import importlib.metadata
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT_PACKAGES = ("portal", "communities", "participation", "themes")


def fingerprint() -> str:
    from django.conf import settings
    from django.db.migrations.loader import MigrationLoader

    digest = hashlib.sha256()
    distributions = sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions())
    digest.update(repr((sys.version_info[:2], list(settings.INSTALLED_APPS), distributions)).encode())
    loader = MigrationLoader(None, ignore_no_migrations=True)
    files = {Path(sys.modules[type(migration).__module__].__file__) for migration in loader.disk_migrations.values()}
    files.update(path for package in PROJECT_PACKAGES for path in (ROOT / package).rglob("*.py"))
    for path in sorted(files):
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _names(connection) -> tuple[str, str, str]:
    """(this worker's test database, the template for this code, the prefix of every template of this database)."""
    prefix = f"test_{connection.settings_dict['NAME']}_tpl_"
    return connection.creation._get_test_db_name(), prefix + fingerprint(), prefix


def _exists(cursor, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return cursor.fetchone() is not None


def migrated_once(connection):
    """Around pytest-django's setup of the test database. Yields True when this worker's database was
    cloned from the template (set it up with keepdb, which only checks that nothing is left to migrate),
    False when it must be migrated; then it becomes the template, before the other workers go on."""
    if connection.vendor == "postgresql":
        return _postgresql(connection)
    if connection.vendor == "sqlite" and connection.creation.is_in_memory_db(connection.creation._get_test_db_name()):
        return _sqlite_in_memory(connection)
    return contextlib.nullcontext(False)


def _sqlite_prefix() -> str:
    return f"portal-tests-sqlite-{hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]}-"


@contextlib.contextmanager
def _sqlite_template(wait: bool = True):
    """Holds the lock on this code's SQLite template file and yields its path (the file may not exist yet), or
    yields None at once when another process holds the lock and `wait` is false."""
    folder = Path(tempfile.gettempdir())
    template = folder / f"{_sqlite_prefix()}{fingerprint()}.sqlite3"
    with open(folder / f"{template.name}.lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        yield template


def _keep_sqlite_template(source, template: Path) -> None:
    """Copy a migrated database (an open sqlite3 connection) out to the template file, whole or not at all,
    and drop the older templates of this checkout."""
    import sqlite3

    partial = template.with_suffix(f".{os.getpid()}.partial")
    with contextlib.closing(sqlite3.connect(partial)) as target:
        source.backup(target)
    partial.rename(template)
    keep = {template.name, f"{template.name}.lock"}
    for stale in template.parent.glob(f"{_sqlite_prefix()}*.sqlite3*"):  # older templates, and their locks
        if stale.name not in keep:
            stale.unlink(missing_ok=True)


@contextlib.contextmanager
def _sqlite_in_memory(connection):
    """SQLite's in-memory test database lives as long as a connection to its shared-cache name is open:
    copy the template file into it with SQLite's backup API (and keep that connection open for the run),
    or, for the first worker, copy the migrated database out to the template file."""
    import sqlite3

    with _sqlite_template() as template:
        if not template.exists():
            yield False
            _keep_sqlite_template(connection.connection, template)
            return
    holder = sqlite3.connect(connection.creation._get_test_db_name(), uri=True)
    with contextlib.closing(sqlite3.connect(template)) as source:
        source.backup(holder)
    _holders.append(holder)  # the in-memory database ends with the process
    yield True


def migrated_sqlite_file(path: Path, migrate) -> bool:
    """A migrated SQLite database file at `path` (the browser tests' server's), `migrate()` being
    `manage.py migrate`. When this code has a template, the file starts as a copy of it and `migrate()` only
    checks that nothing is left to migrate. When it has none, `migrate()` migrates the file, which becomes the
    template that the test workers of a SQLite run (and later servers) clone; but when a test worker is migrating
    the template that moment, the file is migrated beside it rather than after it (two cores, one busy).
    Returns True when the file was cloned. In a PostgreSQL run the fingerprint names django.contrib.postgres
    too, so the servers of PostgreSQL runs share a template of their own."""
    import sqlite3

    with _sqlite_template(wait=False) as template:
        cloned = template is not None and template.exists()
        if cloned:
            source, target = sqlite3.connect(template), sqlite3.connect(path)
            with contextlib.closing(source), contextlib.closing(target):
                source.backup(target)
        migrate()
        if template is not None and not cloned:
            with contextlib.closing(sqlite3.connect(path)) as source:
                _keep_sqlite_template(source, template)
    return cloned


_holders = []


@contextlib.contextmanager
def _postgresql(connection):
    from django.db import connections

    worker_db, template, prefix = _names(connection)
    quote = connection.ops.quote_name
    settings = connection.settings_dict
    lock_path = (
        Path(tempfile.gettempdir()) / f"portal-tests-template-{settings['HOST']}-{settings['PORT']}-{template}.lock"
    )
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other workers wait here while the first one migrates
        with connection._nodb_cursor() as cursor:
            cloned = _exists(cursor, template)
            if cloned:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(worker_db)}")  # left by an interrupted run
                cursor.execute(f"CREATE DATABASE {quote(worker_db)} TEMPLATE {quote(template)}")
        if not cloned:
            yield False
            connections.close_all()  # a template may have no connections while it is copied
            with connection._nodb_cursor() as cursor:
                cursor.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix.replace("_", r"\_") + "%"]
                )
                for (stale,) in cursor.fetchall():
                    with contextlib.suppress(Exception):  # another run may be cloning it this moment: it stays
                        cursor.execute(f"DROP DATABASE IF EXISTS {quote(stale)}")
                cursor.execute(f"CREATE DATABASE {quote(template)} TEMPLATE {quote(worker_db)}")
            return
    yield True  # the lock is released: the clones check their migrations and serialize side by side


def drop(connection, name: str) -> None:
    """After the run: a worker's database set up with keepdb is not dropped by Django."""
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
