"""An event's page is rendered once per published version and number of places taken (`{% sitewide with page=page
... %}`, `EventPage.sitewide_key`): a kept rendering reads no tags, a new version, a sign-up or a renamed tag shows at
once, and each visitor sees their own sign-up, never another's."""

import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from communities.events.models import EventSignup
from tests.membership import members_of

from .helpers import add_event

pytestmark = pytest.mark.usefixtures("uncached_pages")

HOST = "a1.localhost"


@pytest.fixture
def uncached_pages():
    # The whole-page cache for visitors would hide the memo.
    with override_settings(PORTAL_PAGE_CACHE_SECONDS=0):
        yield


@pytest.fixture
def make_user(make_user, city):
    return members_of(make_user, city["a1"])


@pytest.fixture
def event(city):
    return add_event(city["a1"], "社区义诊", tags=["义诊"], capacity=2, place="活动室")


def article(client, event) -> str:
    response = client.get(event.url)
    assert response.status_code == 200
    return re.search(r"<article>.*?</article>", response.content.decode(), re.S)[0]


def places(html: str) -> str:
    return re.search(r'<dl class="facts">.*?</dl>', html, re.S)[0].rsplit("<dd>", 1)[1]


def test_a_kept_rendering_reads_no_tags(city, event, host_client):
    client = host_client(HOST)
    assert "义诊" in article(client, event)
    with CaptureQueriesContext(connection) as captured:
        assert "义诊" in article(client, event)
    assert not [q["sql"] for q in captured.captured_queries if "taggit_tag" in q["sql"]]


def test_a_new_version_a_sign_up_and_a_renamed_tag_show_at_once(city, event, host_client, make_user):
    visitor, resident = host_client(HOST), host_client(HOST, user=make_user())
    for client in (visitor, resident):
        assert "活动室" in article(client, event) and "1" not in places(article(client, event))
    event.place = "多功能厅"
    event.tags.add("体检")
    event.save_revision().publish()
    EventSignup.objects.create(event=event, user=make_user(), status=EventSignup.Status.CONFIRMED)
    for client in (visitor, resident):
        html = article(client, event)
        assert "多功能厅" in html and "活动室" not in html and "体检" in html
        assert "1" in places(html)
    tag = Tag.objects.get(name="体检")
    tag.name = "健康体检"
    tag.save()
    assert "健康体检" in article(visitor, event)
    Tag.objects.get(name="义诊").delete()
    assert ">义诊<" not in article(visitor, event)


def test_each_visitor_sees_their_own_sign_up(city, event, host_client, make_user):
    signed_up, other = make_user(), make_user()
    EventSignup.objects.create(event=event, user=signed_up, status=EventSignup.Status.CONFIRMED)
    first = article(host_client(HOST, user=signed_up), event)
    assert 'value="cancel"' in first and 'value="join"' not in first
    second = article(host_client(HOST, user=other), event)
    assert 'value="join"' in second and 'value="cancel"' not in second
    anonymous = article(host_client(HOST), event)
    assert "<form" not in anonymous and "/login/" in anonymous
    assert 'value="cancel"' in article(host_client(HOST, user=signed_up), event)
