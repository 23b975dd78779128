import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Site ids repeat between tests, so a page cached by an earlier test must not answer this one."""
    cache.clear()  # only this test run's cache: locmem, or the Redis db given in REDIS_URL
    yield
