"""Fixtures every test folder shares: a small city built by the real provisioning code."""

import contextlib
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site

from communities.pages.search import forget_roots
from communities.regions.models import Community, Region
from communities.regions.provisioning import provision_city, provision_community, provision_region
from participation.moderation.screening import words_changed
from portal.core import page_cache, sites
from portal.search import dictionary, places
from tests import recorded_builds


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Tests marked postgres_only need real row locks, redis_only a Redis database shared by processes;
    without them they are skipped before any fixture runs. After every other hook (pytest-xdist's among
    them), the xdist_group of each test is made to hold: see keep_xdist_groups."""
    skips = {}
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        reason = "needs PostgreSQL: SQLite serialises every writer, so there is no race to test"
        skips["postgres_only"] = pytest.mark.skip(reason=reason)
    if not settings.REDIS_URL:
        skips["redis_only"] = pytest.mark.skip(reason="needs REDIS_URL: the in-memory layers are per process")
    for item in items:
        for marker, skip in skips.items():
            if marker in item.keywords:
                item.add_marker(skip)
    result = yield
    keep_xdist_groups(config, items)
    return result


def keep_xdist_groups(config, items):
    """Under `--dist loadgroup`, pytest-xdist 3.8 tells its scheduler a test's xdist_group by appending
    "@<group>" to the test's `_nodeid`, which pytest 9.2 no longer reads (it keeps the id in `_id`: pytest-xdist
    issue 1386). The group was then silently lost: the browser tests ran on every worker, each worker
    migrating and seeding its own demo server and starting its own Chromium. Put the suffix where this pytest
    keeps the id, and fail the run rather than ever lose a group silently again."""
    if not getattr(config.option, "loadgroup", False):  # set on the workers of `-n N --dist loadgroup` only
        return
    from _pytest.nodeid import coerce_node_id

    for item in items:
        groups = sorted(
            {
                str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                for mark in item.iter_markers("xdist_group")
            }
        )
        if not groups:
            continue
        suffix = "@" + "_".join(groups)
        if not item.nodeid.endswith(suffix):
            item._id = coerce_node_id(item.nodeid + suffix)
        if not item.nodeid.endswith(suffix):
            raise pytest.UsageError(f"cannot give {item.nodeid} its xdist_group {suffix[1:]!r} (pytest-xdist)")


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's own, except that a worker clones the database the first worker migrated
    (tests/template_db.py: PostgreSQL, and SQLite in memory) instead of migrating its own: 30-40 s of CPU."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    from tests import template_db

    if not django_db_use_migrations:
        _disable_migrations()
    keepdb = django_db_keepdb and not django_db_createdb
    use_template = django_db_use_migrations and not keepdb
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    with django_db_blocker.unblock():
        worker_db = connection.creation._get_test_db_name()
        with template_db.migrated_once(connection) if use_template else contextlib.nullcontext(False) as cloned:
            db_cfg = setup_databases(
                verbosity=request.config.option.verbose,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized_aliases,
                keepdb=keepdb or cloned,
            )
    yield
    if keepdb:
        return
    with django_db_blocker.unblock():
        try:
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)
            if cloned and connection.vendor == "postgresql":
                template_db.drop(connection, worker_db)
        except Exception as exc:  # noqa: BLE001  (as pytest-django: a warning, not an error of the last test)
            request.node.warn(pytest.PytestWarning(f"Error when trying to teardown test databases: {exc!r}"))


CONNECTION_WAIT = 120  # seconds: how long a test that needs many connections waits for them to be free
CONNECTION_MARGIN = 5


def _free_connections(connection) -> tuple[int, int, int]:
    """(free, at most, in use): the connections this role may still open, may have at all, and has."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT current_setting('max_connections')::int,
                      (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
                      CASE WHEN rolsuper THEN 0 ELSE current_setting('superuser_reserved_connections')::int END
               FROM pg_roles WHERE rolname = current_user"""
        )
        limit, used, reserved = cursor.fetchone()
    return limit - reserved - used, limit - reserved, used


@pytest.fixture(autouse=True)
def connection_budget(request):
    """Tests marked `connections(n)` open n database connections at once (threads posting together).
    On PostgreSQL only one such test runs at a time among all the workers of every run on this server
    (an exclusive lock on a file in the shared temporary folder), and it starts once n connections are
    free, or fails saying so: never a test of fewer, never PostgreSQL's "too many clients"."""
    marker = request.node.get_closest_marker("connections")
    if marker is None or not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        yield
        return
    import fcntl
    import tempfile
    import time
    from pathlib import Path

    from django.db import connection

    # The test's threads, and a margin for the other workers' tests of few connections (an ASGI server's threads).
    needed = marker.args[0] + CONNECTION_MARGIN
    database = settings.DATABASES["default"]
    lock_path = Path(tempfile.gettempdir()) / f"portal-tests-postgres-{database['HOST']}-{database['PORT']}.lock"
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, after the test's teardown
        with request.getfixturevalue("django_db_blocker").unblock():
            deadline = time.monotonic() + CONNECTION_WAIT
            while (free := _free_connections(connection))[0] < needed:
                if free[1] - 1 < needed:  # beside this worker's own: waiting cannot help
                    pytest.fail(
                        f"{request.node.nodeid} needs {needed} PostgreSQL connections at once; the server allows "
                        f"this role {free[1]} (max_connections): raise max_connections"
                    )
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"{request.node.nodeid} needs {needed} PostgreSQL connections at once and only {free[0]} "
                        f"of {free[1]} were free after {CONNECTION_WAIT}s: run less beside the suite"
                    )
                time.sleep(0.2)  # polling the server's count of connections: others may close theirs
        yield


@pytest.fixture(autouse=True, scope="session")
def no_redis_flush():
    """The workers of `pytest -n` share one Redis database: FLUSHDB or FLUSHALL would empty the other
    workers' caches and channel layers. The cache clears only its own prefix (portal.core.cache)."""
    from redis.commands.core import ManagementCommands

    def refuse(*args, **kwargs):
        raise AssertionError("FLUSHDB/FLUSHALL would clear the other test workers' Redis keys: delete by prefix")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ManagementCommands, "flushdb", refuse)
        patch.setattr(ManagementCommands, "flushall", refuse)
        yield


@pytest.fixture(autouse=True, scope="session")
def flush_past_append_only_ballots():
    """A transactional test ends by emptying the database. SQLite empties a table with DELETE FROM,
    which the append-only ballot triggers refuse (PostgreSQL's TRUNCATE does not fire them): lift them
    for the flush only, and put them back (participation.deliberations.append_only)."""
    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        yield
        return
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from participation.deliberations import append_only

    DatabaseOperations = DatabaseWrapper.ops_class
    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with append_only.suspended(self.connection):
            return original(self, sql_list)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by flushing the database, and a flush re-runs post_migrate handlers
    (content types, permissions, the auditors group) under new ids. Put back exactly what the
    migrations made, with the same ids, so the tests after it see the database they expect."""
    yield
    marker = item.get_closest_marker("django_db")
    transactional = (marker and marker.kwargs.get("transaction")) or {"transactional_db", "live_server"} & set(
        getattr(item, "fixturenames", ())
    )
    if nextitem is None or not transactional:
        return  # after the last test the test database is already gone
    from django.core.management import call_command
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                call_command(
                    "flush",
                    verbosity=0,
                    interactive=False,
                    database=connection.alias,
                    inhibit_post_migrate=True,
                    reset_sequences=False,  # the restored rows keep their ids; new rows continue after them
                )
                connection.creation.deserialize_db_from_string(contents)


def ensure_wagtail_tree():
    """Wagtail's root page, root collection and default locale come from its data migrations;
    a transactional test's flush removes them, so put them back before building a city."""
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if not Page.get_first_root_node():
        Page.add_root(instance=Page(title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page)))
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")


def build_city(communities_per_street: int = 1):
    """City > 2 districts > 3 streets > communities, made the way production makes them.

    Provisioned for real once per process and recorded; later builds write the recorded rows where
    that is exact (tests/recorded_builds.py), which saves about a second in most tests."""
    slugs = [f"{street}{i + 1}" for street in "abc" for i in range(communities_per_street)]

    def result():
        found = Community.objects.select_related(
            "site", "root_page", "collection", "editors_group", "moderators_group", "street__parent__parent"
        ).in_bulk(slugs, field_name="slug")
        for community in found.values():
            community.root_page = community.root_page.specific
        return {slug: found[slug] for slug in slugs}

    build = lambda: _provision_city(communities_per_street)  # noqa: E731
    return recorded_builds.built(f"city-{communities_per_street}", build, forget_process_caches, result)


def _provision_city(communities_per_street: int):
    ensure_wagtail_tree()
    provision_city("测试市", "city")
    provision_region(Region.Kind.DISTRICT, "东区", "east", "city")
    provision_region(Region.Kind.DISTRICT, "西区", "west", "city")
    provision_region(Region.Kind.STREET, "甲街道", "street-a", "east")
    provision_region(Region.Kind.STREET, "乙街道", "street-b", "east")
    provision_region(Region.Kind.STREET, "丙街道", "street-c", "west")
    made = {}
    for street in ("street-a", "street-b", "street-c"):
        for i in range(communities_per_street):
            slug = f"{street.split('-')[1]}{i + 1}"
            made[slug] = provision_community(f"社区{slug}", slug, street).obj
    return made


def seed_demo_city_once() -> bool:
    """communities.regions.demo.seed_demo_city() (the whole demo city: seconds) and its history rolled up,
    recorded and replayed like build_city. Returns what the seeding returned."""
    from communities.regions.demo import roll_up_demo_history, seed_demo_city

    def build():
        seeded = seed_demo_city()
        if seeded:
            roll_up_demo_history()
        return seeded

    return recorded_builds.built("demo-city", build, forget_process_caches)


def seed_demo_command_once() -> str:
    """`manage.py seed_demo` on an empty database, as a new installation runs it (in the default language; the
    demo city, its accounts and every role's work, then the tasks its commits start: the search index), recorded
    and replayed like build_city: one real run per process and day, then its rows. Returns what the command
    printed. The tests that use it share an xdist_group (SEED_DEMO_COMMAND), so that one worker seeds for all."""
    from django.core.management import call_command
    from django.test import TestCase
    from django.utils import timezone, translation

    def build():
        out = StringIO()
        with translation.override(settings.LANGUAGE_CODE), TestCase.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo", stdout=out, stderr=StringIO())
        return out.getvalue()

    # The seeded history is dated back from today: a run past midnight seeds again rather than replay yesterday's.
    return recorded_builds.built(f"seed-demo-command-{timezone.localdate()}", build, forget_process_caches)


# About 6 s of CPU for each real run of seed_demo: its tests on one worker, where the first records it.
SEED_DEMO_COMMAND = pytest.mark.xdist_group("seed-demo-command")


def forget_process_caches():
    """What the signals of a build clear in this process (replayed rows send no signals)."""
    from portal.wechat import config as wechat_config

    sites.forget()
    wechat_config.forget()
    Site.clear_site_root_paths_cache()
    page_cache.purge_all()
    places.forget()
    forget_roots()
    dictionary.changed()
    words_changed()


@pytest.fixture(autouse=True)
def fresh_channel_layers():
    """Every test gets its own channel layer objects. A receive() left waiting when a test's event loop closed
    (a consumer or relay not shut down) keeps channels_redis's one-event-loop guard taken for good, and every
    later receive() on that layer in the process then fails ("Two event loops are trying to receive() on one
    channel layer at once!"): a relay test after it retried until pytest-timeout stopped it."""
    from channels.layers import channel_layers

    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def clear_cache():
    """Wagtail caches site root paths and the page cache keeps generations: start every test clean.
    (On Redis, clear() deletes this worker's keys only: see portal.core.cache and the test settings.)"""
    from portal.search.text import segmenter
    from portal.wechat import config as wechat_config

    def forget():
        cache.clear()
        sites.forget()
        wechat_config.forget()
        # A rolled-back test sends no signals: the community places and the segmenter's dictionary
        # version it saw must not reach the next test (ids are reused after a rollback on SQLite).
        places.forget()
        forget_roots()
        segmenter.recheck()

    forget()
    yield
    forget()


@pytest.fixture
def city(db):
    """{'a1': Community, 'b1': Community, 'c1': Community} on hosts a1.localhost, ..."""
    return build_city()


@pytest.fixture
def host_client():
    """A test client that speaks to one host: host_client('a1.localhost')."""

    def make(host: str, user=None) -> Client:
        client = Client(HTTP_HOST=host)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def make_user(db, django_user_model):
    counter = {"n": 0}

    def make(username=None, **extra):
        counter["n"] += 1
        username = username or f"user{counter['n']}"
        user = django_user_model.objects.create_user(username=username, password="pw-for-tests-1", **extra)
        return user

    return make
