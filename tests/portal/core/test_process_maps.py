"""The per-process maps (sites, communities' places, WeChat accounts) are reloaded when they are older than
settings.PORTAL_PROCESS_MAP_MAX_AGE, and not before: the safety net for a cache that is not shared between
processes. (The test settings set the age high so that query counts do not depend on the machine's speed.)"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from portal.core import sites
from portal.core.page_cache import ALL_KEY
from portal.search import places
from portal.wechat import config as wechat_config

pytestmark = pytest.mark.django_db

MAPS = {
    "sites": lambda: sites.site_map(cache.get(ALL_KEY, 0)),
    "places": places.all_places,
    "wechat": wechat_config.current,
}


def queries_of(load) -> int:
    with CaptureQueriesContext(connection) as captured:
        load()
    return len(captured)


@pytest.mark.parametrize("name", sorted(MAPS))
def test_a_map_is_kept_while_young_and_reloaded_once_old(city, name):
    load = MAPS[name]
    assert queries_of(load) > 0  # the first load reads the database
    assert queries_of(load) == 0  # kept: younger than the maximum age
    with override_settings(PORTAL_PROCESS_MAP_MAX_AGE=0):
        assert queries_of(load) > 0  # too old: loaded again
        assert queries_of(load) > 0
    assert queries_of(load) == 0
