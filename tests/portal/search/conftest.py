import os
import uuid

import pytest
from django.core.cache import cache

from portal.search import places
from portal.search.text import segmenter

# With ELASTICSEARCH_URL set, every search test runs against that Elasticsearch 8 (see README).
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")


@pytest.fixture(autouse=True)
def own_elasticsearch_index(settings):
    """A real Elasticsearch keeps what a test indexed after the test's rollback: each test gets its
    own alias, deleted afterwards. Nothing to do on the database backend."""
    from portal.search.backends import _engine

    if not ELASTICSEARCH_URL:
        yield
        return
    settings.ELASTICSEARCH_INDEX = f"portal-test-{uuid.uuid4().hex[:12]}"
    _engine.cache_clear()
    yield
    from portal.search.backends import get_engine

    engine = get_engine()
    for name in engine.indices_behind_alias():
        engine.client.indices.delete(index=name, ignore_unavailable=True)
    _engine.cache_clear()


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Site ids repeat between tests, so a page cached by an earlier test must not answer this one."""
    cache.clear()  # only this worker's cache: locmem, or its key prefix in Redis
    places.forget()
    segmenter.forget()
    yield
    places.forget()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a function and its after-commit callbacks (the index tasks): committed(fn, *args)."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
