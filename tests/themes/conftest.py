import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Site ids repeat between tests, so a page cached by an earlier test must not answer this one."""
    cache.clear()  # only this worker's cache: locmem, or its key prefix in Redis
    yield
