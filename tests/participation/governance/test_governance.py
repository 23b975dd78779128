"""社区自治: the section gathers committees and elections (from the registry), the convention with its
published versions and one endorsement per resident, the council's minutes, decisions, proposals and polls;
it is in the site's navigation and, as a consequence, in the WeChat menu's order."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from participation.deliberations.models import Option, Proposal, Topic
from participation.governance import registry
from participation.governance.models import ConventionEndorsement, ConventionPage
from portal.accounts.models import Membership
from portal.core.navigation import SECTION_ORDER


@pytest.fixture
def seeded(city, make_user):
    from participation.governance.demo import seed_demo_governance

    for name in ("demo-neighbour", "demo-neighbour-2"):
        make_user(name)
    assert seed_demo_governance("a1")
    assert not seed_demo_governance("a1")  # once
    return ConventionPage.objects.get()


@pytest.fixture
def elections_registered():
    """What the elections app registers (registry.register_committees / register_elections)."""

    def committees(community):
        return [
            registry.Committee(
                name=f"{community.name}第十一届居民委员会",
                kind="residents",
                term_start=date(2026, 1, 1),
                term_end=date(2030, 12, 31),
                members=[registry.Member("张主任", "主任"), registry.Member("李委员", "委员")],
            )
        ]

    def elections(community):
        now = timezone.now()
        return [
            registry.Election("第十二届居委会换届选举", "/elections/2/", "选民名单公示", True, now),
            registry.Election("第十一届居委会换届选举", "/elections/1/", "结果公告", False, now - timedelta(days=900)),
        ]

    saved = (list(registry._committees), list(registry._elections))
    registry.register_committees(committees)
    registry.register_elections(elections)
    yield
    registry._committees[:], registry._elections[:] = saved


def test_the_section_gathers_everything(seeded, elections_registered, city, make_user, host_client):
    a1 = city["a1"]
    now = timezone.now()
    topic = Topic.objects.create(
        community=a1,
        title="东门空地改停车位",
        description="说明",
        discussion_starts=now - timedelta(days=2),
        voting_starts=now - timedelta(days=1),
        voting_ends=now + timedelta(days=1),
    )
    Option.objects.create(topic=topic, label="同意", sort_order=0)
    Proposal.objects.create(
        community=a1,
        proposer=make_user("p"),
        title="增设长椅",
        description="说明",
        options="同意\n反对",
        cosigners_needed=3,
    )
    page = host_client("a1.localhost").get("/governance/").content.decode()
    for expected in ("张主任", "第十一届居民委员会", "第十二届居委会换届选举", "选民名单公示", "翠园社区居民公约"[2:]):
        assert expected in page, expected
    for expected in ("2026年第四次居民议事会", "东门空地改停车位", "增设长椅", "已有 2 位居民认同"):
        assert expected in page, expected
    # In the navigation, in the order the WeChat menu follows too.
    assert 'href="/governance/"' in page and 'href="/microblog/"' in page
    assert SECTION_ORDER.index("microblog") < SECTION_ORDER.index("governance") < SECTION_ORDER.index("deliberations")
    assert host_client("localhost").get("/governance/").status_code == 404  # the city portal has no such section


def test_the_convention_keeps_its_published_versions(seeded, host_client):
    versions = list(seeded.published_versions())
    assert len(versions) == 2
    old = host_client("a1.localhost").get(seeded.url + f"versions/{versions[-1].revision_id}/")
    assert old.status_code == 200 and "有序停车" not in old.content.decode()
    current = host_client("a1.localhost").get(seeded.url).content.decode()
    assert "有序停车" in current
    draft = seeded.save_revision()  # a draft is no published version
    assert host_client("a1.localhost").get(seeded.url + f"versions/{draft.pk}/").status_code == 404


def test_one_endorsement_per_resident_through_the_decision(seeded, city, make_user, host_client):
    resident = make_user("resident")
    Membership.objects.create(user=resident, community=city["a1"], status=Membership.Status.VERIFIED)
    client = host_client("a1.localhost", resident)
    for _ in range(2):
        assert client.post(seeded.url + "endorse/").status_code == 302
    assert ConventionEndorsement.objects.filter(page=seeded).count() == 3  # the demo's two, and one more
    stranger = make_user("stranger")
    assert host_client("a1.localhost", stranger).post(seeded.url + "endorse/").status_code == 403
    assert ConventionEndorsement.objects.filter(page=seeded).count() == 3
    assert "已有 3 位居民认同本公约" in host_client("a1.localhost").get(seeded.url).content.decode()
