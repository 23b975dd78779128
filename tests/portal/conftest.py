import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def cold_page_cache():
    """Rolled-back rows may reuse ids, and Redis outlives a run: no test sees another's cached page."""
    cache.clear()
    yield
    cache.clear()
