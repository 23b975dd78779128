"""The demo city: realistic Chinese content in every page type, and an account for each role."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from communities.events.models import EventIndexPage, EventPage, EventSignup
from communities.news.models import NewsArticlePage, NewsIndexPage
from communities.notices.models import NoticeIndexPage, NoticePage
from communities.organisations.demo import seed_demo_organisations
from communities.services.models import ServiceDirectoryPage, ServicePage
from participation.complaints.demo import seed_demo_api_key, seed_demo_complaint_history, seed_demo_complaints
from participation.deliberations.demo import seed_demo_deliberations, seed_demo_open_topic
from participation.forums.demo import seed_demo_forum
from participation.polls.demo import seed_demo_poll
from portal.accounts.demo import seed_demo_staff_access
from portal.accounts.models import ActionRule, Building, Home, Membership
from portal.insights import rollup

from .boundaries import demo_grid
from .models import Community, CommunitySettings, Region, SearchTerm
from .provisioning import provision_city, provision_community, provision_region

DEMO_PASSWORD = "demo-2026"
DEMO_HISTORY_DAYS = 56

CITY = ("江城市", "city")
DISTRICTS = [("东湖区", "donghu"), ("西山区", "xishan")]
STREETS = [
    ("翠湖街道", "cuihu", "donghu"),
    ("梧桐街道", "wutong", "donghu"),
    ("青石街道", "qingshi", "xishan"),
]
COMMUNITIES = [
    ("翠园社区", "cuiyuan", "cuihu"),
    ("湖滨社区", "hubin", "cuihu"),
    ("梧桐里社区", "wutongli", "wutong"),
    ("新华社区", "xinhua", "wutong"),
    ("青石新村社区", "qingshixincun", "qingshi"),
    ("山水苑社区", "shanshuiyuan", "qingshi"),
]
# Populations workers entered (decision support compares participation and services with them).
DEMO_POPULATIONS = {
    "cuiyuan": 8600,
    "hubin": 12400,
    "wutongli": 6900,
    "xinhua": 15300,
    "qingshixincun": 9800,
    "shanshuiyuan": 7200,
}
# Two demo communities show the non-base themes; the others keep the base theme.
DEMO_THEMES = {"cuiyuan": "civic", "hubin": "warm"}
# Office addresses: the city home's finder ("my community") matches a resident's road against them.
DEMO_OFFICES = {
    "cuiyuan": "翠园路88号翠园小区服务中心",
    "hubin": "湖滨路1号",
    "wutongli": "梧桐大道66号",
    "xinhua": "新华街20号",
    "qingshixincun": "青石路3弄5号",
    "shanshuiyuan": "山水苑小区东门",
}

NOTICES = [
    (
        "关于开展小区消防安全检查的通知",
        "本周六上午9:00起，社区将联合物业对各楼栋消防通道、灭火器进行检查，请居民清理楼道堆放物品。",
        ["消防安全"],
        True,
    ),
    (
        "二季度垃圾分类积分兑换通知",
        "积分满100分可在社区服务中心兑换生活用品，兑换时间为每周三、周五下午。",
        ["垃圾分类"],
        False,
    ),
    (
        "暴雨天气防汛提示",
        "近期有强降雨，地下车库车辆请及时挪至地面，低洼楼栋居民注意防范。",
        ["防汛"],
        False,
    ),
]
NEWS = [
    ("社区志愿者为独居老人送去重阳节慰问", "重阳节当天，二十余名志愿者走访了辖区独居老人。", ["志愿服务", "老年人"]),
    ("“邻里节”文艺汇演圆满举行", "居民自编自演的节目赢得阵阵掌声，现场还开展了便民服务。", ["邻里节"]),
    ("老旧小区加装电梯项目进入施工阶段", "经居民议事协商，3号楼、5号楼加装电梯于本月开工。", ["加装电梯"]),
]
SERVICES = [
    (
        ServicePage.Kind.ADMINISTRATIVE,
        "居住证办理",
        "身份证原件、租房合同或房产证明、一寸照片两张",
        "工作日 9:00-12:00, 14:00-17:30",
        "社区党群服务中心一楼窗口",
    ),
    (
        ServicePage.Kind.ADMINISTRATIVE,
        "高龄津贴申请",
        "身份证、户口簿、银行卡",
        "工作日 9:00-17:00",
        "社区党群服务中心二楼",
    ),
    (ServicePage.Kind.ADMINISTRATIVE, "开具居住证明", "身份证原件", "工作日 9:00-17:00", "社区党群服务中心一楼窗口"),
    (ServicePage.Kind.PUBLIC_BENEFIT, "长者食堂", "", "每日 11:00-13:00", "社区服务中心西侧"),
    (ServicePage.Kind.PUBLIC_BENEFIT, "四点半课堂", "", "工作日 16:30-18:00", "社区图书室"),
    (ServicePage.Kind.MARKET, "家电维修上门服务", "", "每日 8:00-20:00", "上门服务"),
    (ServicePage.Kind.MARKET, "社区便民理发", "", "每周二、周四上午", "社区服务中心"),
]


def _publish(parent, page, when=None):
    when = when or timezone.now()
    page.first_published_at = page.last_published_at = when
    parent.add_child(instance=page)
    return page


def _section(home, page_class):
    return home.get_children().type(page_class).first().specific


def fill_community(community: Community, light: bool = False) -> None:
    """Content of every page type for one community; `light` is what benchmarks need."""
    home = community.root_page.specific
    now = timezone.now()
    notices = _section(home, NoticeIndexPage)
    for i, (title, body, tags, pinned) in enumerate(NOTICES[: 2 if light else None]):
        notice = NoticePage(
            title=title,
            slug=f"notice-{i + 1}",
            summary=body[:60],
            body=f"<p>{body}</p>",
            pinned=pinned,
            issuer=f"{community.name}居委会",
            valid_until=now + timedelta(days=30),
        )
        notice.tags.add(*tags)
        _publish(notices, notice, now - timedelta(days=i))
    if not light:
        expired = NoticePage(
            title="春节期间办公时间调整（已过期）",
            slug="expired-notice",
            body="<p>春节期间社区服务中心暂停对外办公。</p>",
            valid_until=now - timedelta(days=1),
        )
        _publish(notices, expired, now - timedelta(days=60))

    news_index = _section(home, NewsIndexPage)
    for i, (title, intro, tags) in enumerate(NEWS[: 2 if light else None]):
        article = NewsArticlePage(
            title=title,
            slug=f"news-{i + 1}",
            date=(now - timedelta(days=3 * i)).date(),
            intro=intro,
            body=f"<p>{intro}</p><p>{community.name}将持续开展此类活动，欢迎居民参与。</p>",
        )
        article.tags.add(*tags)
        _publish(news_index, article, now - timedelta(days=3 * i))

    events = _section(home, EventIndexPage)
    start = (now + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
    event = EventPage(
        title="社区义诊进楼栋",
        slug="free-clinic",
        start=start,
        end=start + timedelta(hours=3),
        place=f"{community.name}服务中心广场",
        capacity=2,
        organiser="社区卫生服务站",
        summary="血压血糖测量、中医问诊，名额有限。",
        body="<p>请携带医保卡，65岁以上老人优先。</p>",
    )
    event.tags.add("老年人", "健康")
    _publish(events, event)
    if light:
        return
    _publish(
        events,
        EventPage(
            title="周末亲子手工课",
            slug="family-crafts",
            start=start + timedelta(days=3),
            end=start + timedelta(days=3, hours=2),
            place="社区活动室",
            capacity=0,
            summary="用废旧材料制作环保手工，家长陪同参加。",
        ),
    )
    directory = _section(home, ServiceDirectoryPage)
    for i, (kind, title, materials, hours, place) in enumerate(SERVICES):
        _publish(
            directory,
            ServicePage(
                title=title,
                slug=f"service-{i + 1}",
                kind=kind,
                summary=f"{community.name}{title}服务",
                provider=f"{community.name}居委会" if kind == ServicePage.Kind.ADMINISTRATIVE else "社区合作机构",
                materials=f"<p>{materials}</p>" if materials else "",
                office_hours=hours,
                place=place,
                phone="027-8888" + f"{i:04d}",
            ),
        )


def _user(username, display_name, phone, **extra):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": display_name, "phone": phone, **extra}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _verified_resident(user, community, room):
    """A membership a worker has already verified, so the demo resident can vote, propose and co-sign."""
    building, _ = Building.objects.get_or_create(community=community, name="3号楼", defaults={"units": "1,2"})
    home, _ = Home.objects.get_or_create(
        community=community, building=building, unit="1", room=room, defaults={"floor_area": Decimal("68.50")}
    )
    Membership.objects.get_or_create(
        user=user, community=community, defaults={"home": home, "status": Membership.Status.VERIFIED}
    )


def create_demo_accounts():
    """One account per role; returns (username, role, password) rows to print."""
    cuiyuan = Community.objects.get(slug="cuiyuan")
    street = Region.objects.get(slug="cuihu")
    admin = _user("admin", "城市管理员", "13900000000", is_staff=True, is_superuser=True)
    street_editor = _user("street", "翠湖街道编辑", "13900000001", is_staff=True)
    street_editor.groups.add(street.editors_group)
    editor = _user("editor", "翠园社区编辑", "13900000002", is_staff=True)
    editor.groups.add(cuiyuan.editors_group)
    moderator = _user("moderator", "翠园社区版主", "13900000003", is_staff=True)
    moderator.groups.add(cuiyuan.moderators_group)
    resident = _user("resident", "王阿姨", "13800138000")
    _verified_resident(resident, cuiyuan, room="102")
    seed_demo_staff_access(editor, resident, cuiyuan)  # 我的数据 lists the staff who looked
    event = EventPage.objects.descendant_of(cuiyuan.root_page).filter(slug="free-clinic").first()
    if event:
        EventSignup.objects.get_or_create(event=event, user=resident, defaults={"status": EventSignup.Status.CONFIRMED})
    return [
        (admin.username, "city administrator (superuser)"),
        (street_editor.username, "street editor, 翠湖街道"),
        (editor.username, "community editor, 翠园社区"),
        (moderator.username, "community moderator, 翠园社区"),
        (resident.username + " / 13800138000", "resident"),
        ("orgstaff", "staff of a social organisation (翠园社区)"),
    ]


@transaction.atomic
def seed_demo_city() -> bool:
    """Create the demo city once. Returns False if it was already there. Its history is not rolled up here
    (roll_up_demo_history, once the complaints have their points)."""
    if Region.objects.filter(kind=Region.Kind.CITY).exists():
        return False
    provision_city(*CITY)
    for name, slug in DISTRICTS:
        provision_region(Region.Kind.DISTRICT, name, slug, CITY[1])
    for name, slug, district in STREETS:
        provision_region(Region.Kind.STREET, name, slug, district)
    for name, slug, street in COMMUNITIES:
        community = provision_community(name, slug, street).obj
        fill_community(community)
        if slug in DEMO_THEMES:
            CommunitySettings.objects.filter(site=community.site).update(theme=DEMO_THEMES[slug])
        CommunitySettings.objects.filter(site=community.site).update(address=DEMO_OFFICES[slug])
        Community.objects.filter(pk=community.pk).update(population=DEMO_POPULATIONS[slug])
    seed_demo_organisations(DEMO_PASSWORD)
    seed_demo_poll(Community.objects.get(slug="cuiyuan"))
    seed_demo_deliberations(Community.objects.get(slug="cuiyuan"), DEMO_PASSWORD)
    # Both demo communities have every public page type (the benchmarks measure 湖滨's).
    seed_demo_poll(Community.objects.get(slug="hubin"))
    seed_demo_open_topic(Community.objects.get(slug="hubin"))
    seed_demo_complaints(Community.objects.get(slug="hubin"))
    seed_demo_api_key(Community.objects.filter(slug__in=["hubin", "cuiyuan"]))
    seed_demo_complaint_history(
        Community.objects.filter(slug__in=[slug for _name, slug, _street in COMMUNITIES]), days=DEMO_HISTORY_DAYS
    )
    # The same weeks a year earlier, fewer: the complaints' summary compares the period with a year before.
    seed_demo_complaint_history(
        Community.objects.filter(slug__in=[slug for _name, slug, _street in COMMUNITIES]),
        days=DEMO_HISTORY_DAYS,
        per_community=12,
        seed=2025,
        ago=365,
    )
    for community in Community.objects.filter(slug__in=[slug for _name, slug, _street in COMMUNITIES]):
        seed_demo_forum(community)
    # 湖滨 limits forum posting to verified residents; the others take any member (the default).
    ActionRule.objects.get_or_create(
        community=Community.objects.get(slug="hubin"), action="forum.post", defaults={"requirement": "verified"}
    )
    SearchTerm.objects.get_or_create(
        community=Community.objects.get(slug="cuiyuan"), word="翠园", defaults={"note": "小区名（演示）"}
    )
    # Decision support's roll-up of the history comes last, after the points: roll_up_demo_history().
    return True


def roll_up_demo_history() -> None:
    """Decision support: the finished days of the demo's history rolled up, as the nightly task would have.
    Call it once the demo is complete: `seed_demo` calls it after seed_demo_boundaries, which gives the
    history's complaints their points (rolled up before that, no past day had a repeat complaint at the same
    place, since only a complaint with a point can be one)."""
    yesterday = rollup.today() - timedelta(days=1)
    rollup.rebuild(yesterday - timedelta(days=DEMO_HISTORY_DAYS), yesterday)


# The demo city's box on the map (WGS84 west, south, east, north), inside the default PORTAL_CITY_BOUNDS.
DEMO_CITY_BOX = (114.22, 30.54, 114.38, 30.64)


@transaction.atomic
def seed_demo_boundaries() -> int:
    """Generated rectangles for every region and community of the city that has no boundary yet (district ⊃
    street ⊃ community, each box cut into strips for its children); the complaints of a community that gets
    its boundary now, if they have no point, get one inside it. Returns how many boundaries were set."""
    city = Region.objects.filter(kind=Region.Kind.CITY).first()
    if city is None:
        return 0
    regions = list(Region.objects.order_by("pk"))
    communities = list(Community.objects.order_by("pk"))
    tree = {("region", city.pk): []}
    for region in regions:
        if region.parent_id is not None:
            tree.setdefault(("region", region.parent_id), []).append(("region", region.pk))
    for community in communities:
        tree.setdefault(("region", community.street_id), []).append(("community", community.pk))
    grid = demo_grid(tree, DEMO_CITY_BOX)
    changed = []
    for kind, rows in (("region", regions), ("community", communities)):
        for row in rows:
            if row.boundary is None and (kind, row.pk) in grid:
                row.boundary = grid[(kind, row.pk)]
                row.save(update_fields=["boundary"])
                changed.append(row)
    _pin_demo_complaints([row for row in changed if isinstance(row, Community)])
    _pin_demo_places(communities)
    return len(changed)


def _pin_demo_places(communities) -> None:
    """Live services and organisations without a place get one inside their community's box (published as a new
    revision, as staff would in the admin), so that the map's service and organisation layers show them."""
    from communities.organisations.models import OrganisationPage
    from communities.services.models import ServicePage

    boxes = {c.root_page.path: c.boundary["coordinates"][0] for c in communities if c.boundary and c.root_page_id}
    for offset, model in ((0.15, ServicePage), (0.65, OrganisationPage)):
        pages = model.objects.live().filter(latitude__isnull=True).order_by("path")
        for i, page in enumerate(pages):
            root = next((path for path in boxes if page.path.startswith(path)), None)
            if root is None:
                continue
            (west, south), (east, north) = boxes[root][0], boxes[root][2]
            page.longitude = Decimal(f"{west + (east - west) * (offset + 0.05 * (i % 5)):.6f}")
            page.latitude = Decimal(f"{south + (north - south) * (0.2 + 0.15 * (i % 4)):.6f}")
            page.save_revision().publish()


def _pin_demo_complaints(communities) -> None:
    """Demo complaints without a point get one inside their community's box (a few metres apart)."""
    from participation.complaints.models import Complaint

    boxes = {c.pk: c.boundary["coordinates"][0] for c in communities if c.boundary}
    for i, complaint in enumerate(Complaint.objects.filter(latitude__isnull=True, community_id__in=boxes)):
        ring = boxes[complaint.community_id]
        west, south = ring[0]
        east, north = ring[2]
        complaint.longitude = Decimal(f"{west + (east - west) * (0.3 + 0.1 * (i % 5)):.6f}")
        complaint.latitude = Decimal(f"{south + (north - south) * (0.4 + 0.08 * (i % 4)):.6f}")
        complaint.save(update_fields=["latitude", "longitude"])


def seed_bench_communities(count: int, progress=None) -> int:
    """Add communities (ten per street, in new streets) until the city has `count` of them."""
    created = 0
    district = Region.objects.filter(kind=Region.Kind.DISTRICT).order_by("pk").first()
    existing = Community.objects.count()
    for n in range(existing, count):
        street_slug = f"bench-street-{n // 10}"
        with transaction.atomic():
            provision_region(Region.Kind.STREET, f"示范街道{n // 10}", street_slug, district.slug)
            community = provision_community(f"示范社区{n}", f"bench-{n}", street_slug).obj
            fill_community(community, light=True)
        created += 1
        if progress:
            progress(1)
    return created
