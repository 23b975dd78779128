"""The demo 社区自治 of 翠园社区: the residents' convention in two published versions with endorsements,
and the deliberation council's minutes."""

from datetime import date

from django.contrib.auth import get_user_model

from .models import ConventionEndorsement, ConventionPage, MinutesIndexPage, MinutesPage

FIRST = (
    "<h3>第一条 邻里和睦</h3><p>邻里之间互相尊重、互相帮助，有事好商量。</p>"
    "<h3>第二条 爱护环境</h3><p>垃圾分类投放，不乱扔杂物，爱护公共绿地。</p>"
    "<h3>第三条 文明养犬</h3><p>出门牵绳，及时清理犬只粪便。</p>"
)
SECOND = FIRST + (
    "<h3>第四条 有序停车</h3><p>车辆停放在划定车位，不占用消防通道。</p>"
    "<h3>第五条 参与议事</h3><p>关心社区公共事务，积极参加居民议事和民主选举。</p>"
)
MINUTES = [
    (
        "2026年第三次居民议事会",
        date(2026, 9, 12),
        "<p>讨论东门空地改建停车位的方案，听取了3号楼、5号楼居民代表的意见。</p>",
        "<p>同意将方案提交阳光议事，由全体居民投票决定。</p>",
    ),
    (
        "2026年第四次居民议事会",
        date(2026, 11, 7),
        "<p>通报垃圾分类督导情况；讨论修订居民公约，增加有序停车和参与议事两条。</p>",
        "<p>修订后的居民公约提交居民会议表决，表决通过后发布。</p>",
    ),
]


def seed_demo_governance(slug: str = "cuiyuan") -> bool:
    """Once: returns False when 翠园 already has its convention."""
    from communities.regions.models import Community

    cuiyuan = Community.objects.filter(slug=slug).first()
    if cuiyuan is None:
        return False
    home = cuiyuan.root_page.specific
    if ConventionPage.objects.child_of(home).exists():
        return False
    convention = home.add_child(
        instance=ConventionPage(
            title="翠园社区居民公约",
            slug="convention",
            adopted_by="翠园社区居民会议",
            adopted_on=date(2025, 6, 1),
            body=FIRST,
        )
    )
    convention.save_revision().publish()
    convention.body, convention.adopted_on = SECOND, date(2026, 11, 20)
    convention.save_revision().publish()
    for user in get_user_model().objects.filter(username__in=["demo-neighbour", "demo-neighbour-2"]):
        ConventionEndorsement.objects.get_or_create(page=convention, user=user)
    index = home.add_child(instance=MinutesIndexPage(title="议事会会议纪要", slug="minutes"))
    index.save_revision().publish()
    for title, when, body, decisions in MINUTES:
        page = index.add_child(
            instance=MinutesPage(
                title=title,
                meeting_date=when,
                location="社区议事厅",
                attendees="社区党委书记、居委会主任、居民代表8人、物业代表1人",
                body=body,
                decisions=decisions,
            )
        )
        page.save_revision().publish()
    return True
