"""The demo city lets every role do its main action at once (issue 19): the worker has an application to
verify, the moderator a report and a post to approve, the demo resident complaints in every state (and
staff a dead-lettered delivery); and no link a role meets on 翠园's pages is dead."""

import re
from io import StringIO
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from participation.complaints.models import CaseState, Complaint, Outbox
from tests.conftest import SEED_DEMO_COMMAND, seed_demo_command_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    """What `seed_demo` printed, its rows written and the search index's tasks run (once per worker for real:
    tests/conftest.py, seed_demo_command_once)."""
    return seed_demo_command_once()


def user(username):
    return get_user_model().objects.get(username=username)


@SEED_DEMO_COMMAND
def test_every_role_has_work_right_after_seeding(demo, host_client):
    from portal.accounts.models import Membership
    from portal.audit.models import AuditEntry

    # The community worker: an application with the applicant masked, and a way to reveal with a reason.
    pending = Membership.objects.get(community__slug="cuiyuan", status=Membership.Status.PENDING)
    editor = host_client("localhost", user("editor"))
    html = editor.get(f"/admin/memberships/edit/{pending.pk}/").content.decode()
    section = html.split('class="nice-padding applicant"')[1].split("</section>")[0]
    assert "李**" in section and "138****8001" in section and pending.id_masked in section
    assert "李建国" not in html and "13800138001" not in html
    assert f'href="/admin/memberships/{pending.pk}/reveal/"' in section
    assert AuditEntry.objects.filter(actor=user("editor"), subject=pending.user).exists()

    # The moderator: a reported advertisement (its phone number masked) and a post awaiting approval.
    queue = host_client("localhost:8171", user("moderator")).get("/admin/moderation/").content.decode()
    assert "低价装修" in queue and "13912345678" not in queue and "快递柜" in queue
    assert 'href="http://cuiyuan.localhost:8171/forum/' in queue, "the queue's links follow the served port"
    assert "139****5678" in queue, "the queue shows the post as readers see it, not its Markdown source"

    # The demo resident: a complaint in each state a case passes through, listed on 我的投诉.
    resident = user("resident")
    states = set(Complaint.objects.filter(reporter=resident).values_list("state", flat=True))
    wanted = {
        CaseState.SUBMITTED,
        CaseState.ACCEPTED,
        CaseState.ESCALATED,
        CaseState.IN_PROGRESS,
        CaseState.REPLIED,
        CaseState.CLOSED,
        CaseState.EVALUATED,
        CaseState.REOPENED,
        CaseState.RETURNED,
    }
    assert wanted <= states
    mine = host_client("cuiyuan.localhost", resident).get("/complaints/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = mine.content.decode()
    for label in ("已提交", "已受理", "已退回"):
        assert label in page, label
    # Staff: a delivery to the city that failed for good, to requeue.
    assert Outbox.objects.filter(complaint__community__slug="cuiyuan", state=Outbox.State.DEAD).exists()

    # Seeding again adds nothing.
    counts = (Membership.objects.count(), Complaint.objects.count(), Outbox.objects.count())
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    assert (Membership.objects.count(), Complaint.objects.count(), Outbox.objects.count()) == counts

    # The search finds Chinese words in the demo (the index follows the seeding through tasks).
    client = host_client("cuiyuan.localhost")
    for word in ("垃圾分类", "停车位", "消防"):
        page = client.get("/search/", {"q": word}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        found = re.search(r"搜索结果：(\d+) 条", page)
        assert found and int(found.group(1)) > 0, word


HREF = re.compile(r'href="([^"#]+)"')
SKIP = ("/accounts/logout/", "/static/", "/media/", "/feeds/", "/preferences/", "/i18n/")


@SEED_DEMO_COMMAND
def test_no_link_on_the_demo_community_is_dead(demo, host_client):
    """Every link on 翠园's home and on the pages it links to (same host) answers, for a visitor and for
    the demo resident: a dead link there is the first thing a new user meets."""
    for who in (None, "resident"):
        assert_no_dead_link(host_client("cuiyuan.localhost", user(who) if who else None))


def assert_no_dead_link(client):
    start = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert start.status_code == 200
    seen, dead = {"/"}, []
    frontier = [("/", start.content.decode())]
    for depth in range(2):
        following = []
        for source, body in frontier:
            for href in HREF.findall(body):
                href = href.replace("&amp;", "&")
                parts = urlsplit(urljoin(source, href))
                if parts.netloc not in ("", "cuiyuan.localhost") or parts.scheme not in ("", "http"):
                    continue
                path = parts.path + (f"?{parts.query}" if parts.query else "")
                if path in seen or path.startswith(SKIP):
                    continue
                seen.add(path)
                response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
                if response.status_code >= 400:
                    dead.append(f"{source} -> {path}: {response.status_code}")
                elif response.status_code == 200 and depth == 0 and "text/html" in response["Content-Type"]:
                    following.append((path, response.content.decode()))
        frontier = following
    assert len(seen) > 40, sorted(seen)
    assert not dead, "\n".join(dead)


@pytest.mark.xdist_group("demo-city")  # the recorded demo city: tests/conftest.py, seed_demo_city_once
def test_both_demo_communities_have_every_public_page_type(db, host_client):
    """湖滨 as well as 翠园: a notice, news, an event, a forum thread, an open deliberation topic, a poll, 反光镜
    and an organisation of its own, each answering 200 on the community's site (the benchmarks measure 湖滨's)."""
    from django.urls import reverse
    from django.utils import timezone

    from communities.events.models import EventPage
    from communities.news.models import NewsArticlePage
    from communities.notices.models import NoticePage
    from communities.organisations.models import OrganisationPage
    from communities.regions.models import Community
    from participation.deliberations.models import Topic
    from participation.forums.models import Thread
    from participation.polls.models import PollPage
    from tests.conftest import seed_demo_city_once

    seed_demo_city_once()
    for slug in ("cuiyuan", "hubin"):
        community = Community.objects.get(slug=slug)
        client = host_client(f"{slug}.localhost")
        urls = [reverse("complaints:mirror"), "/"]
        for model in (NoticePage, NewsArticlePage, EventPage, PollPage, OrganisationPage):
            page = model.objects.live().descendant_of(community.root_page).first()
            assert page is not None, f"{slug} has no {model.__name__}"
            urls.append(page.url)
        topic = Topic.objects.filter(community=community, voting_ends__gt=timezone.now()).first()
        assert topic is not None, f"{slug} has no open deliberation topic"
        urls.append(reverse("deliberations:topic", args=[topic.pk]))
        thread = Thread.objects.filter(community=community).first()
        assert thread is not None, f"{slug} has no forum thread"
        urls.append(reverse("forums:thread", args=[thread.pk]))
        for url in urls:
            assert client.get(url).status_code == 200, (slug, url)
    assert OrganisationPage.objects.live().get(short_name="湖滨文体协会").get_site().hostname.startswith("hubin.")
