import pytest
from django.core.cache import cache

from portal.search import places
from portal.search.text import segmenter


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Site ids repeat between tests, so a page cached by an earlier test must not answer this one."""
    cache.clear()  # only this test run's cache: locmem, or the Redis db given in REDIS_URL
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
