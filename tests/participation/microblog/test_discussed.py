"""The street's and the city's "most discussed" feeds read a stored score (comments + reposts) that every
change of those counters moves in the same UPDATE; the feeds' order, their index and their query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participation.microblog import services
from participation.microblog.models import MicroPost
from participation.moderation import services as moderation
from participation.moderation.models import ModerationState

PUBLISHED = ModerationState.PUBLISHED


@pytest.fixture
def city(db):
    """Two communities per street: a1 and a2 on street a, c1 and c2 on street c."""
    from tests.conftest import build_city

    return build_city(communities_per_street=2)


@pytest.fixture
def people(make_user, trusted, city):
    for name in ("a1", "a2", "c1"):
        trusted(city[name])
    return [make_user(f"p{n}", display_name=f"邻居{n}") for n in range(4)]


def post(community, author, text, **kw):
    return services.create_post(community=community, author=author, text=text, state=PUBLISHED, **kw)


def comment(on, author, state=PUBLISHED):
    return services.create_comment(post=on, author=author, text="说两句", state=state, community=on.community)


def score(item):
    item.refresh_from_db()
    assert item.discussion_score == item.comment_count + item.repost_count, item.__dict__
    return item.discussion_score


def test_every_change_of_comments_and_reposts_moves_the_score(city, people, make_user):
    moderator = make_user("moderator", is_staff=True)
    original = post(city["a1"], people[0], "原帖")
    assert score(original) == 0
    first = comment(original, people[1])
    comment(original, people[2])
    assert score(original) == 2
    repost = post(city["a2"], people[1], "转一下", repost_of=original)
    assert score(original) == 3
    assert services.like(original, people[3]) and score(original) == 3  # a like is approval, not discussion
    services.unlike(original, people[3])
    waiting = comment(original, people[3], state=ModerationState.PENDING)
    assert score(original) == 3  # not published: not counted
    moderation.act(waiting, "approve", moderator, "fine")
    assert score(original) == 4
    moderation.act(first, "hide", moderator, "rude")
    assert score(original) == 3
    services.delete_comment(waiting)
    assert score(original) == 2
    services.delete_post(repost, people[1])
    assert score(original) == 1
    MicroPost.objects.filter(pk=original.pk).update(discussion_score=99)
    original.recount()  # the recount repairs the score with the counters
    assert score(original) == 1


def test_the_feeds_order_by_the_score_then_newest(city, people, host_client, settings):
    settings.MICROBLOG_DISCUSSED_DAYS = 7
    a1, a2, c1 = city["a1"], city["a2"], city["c1"]
    assert a1.street_id == a2.street_id != c1.street_id
    made = {}
    # name: (community, comments, reposts)
    for name, community, comments, reposts in (
        ("平淡", a1, 0, 0),
        ("两条评论", a2, 2, 0),
        ("一评一转", a1, 1, 1),  # ties with 两条评论: the newer first
        ("别的街道", c1, 3, 0),
        ("最热", a1, 2, 2),
    ):
        item = made[name] = post(community, people[0], name)
        for n in range(comments):
            comment(item, people[1 + n % 3])
        for n in range(reposts):
            post(a1, people[1 + n % 3], "转", repost_of=item)
    old = made["过时"] = post(a1, people[0], "过时")
    for n in range(3):
        comment(old, people[1 + n])
    MicroPost.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    hidden = made["隐藏"] = post(a1, people[0], "隐藏")
    for n in range(3):
        comment(hidden, people[1 + n])
    MicroPost.objects.filter(pk=hidden.pk).update(moderation_state=ModerationState.HIDDEN)

    def order(path):
        posts = host_client("a1.localhost").get(path).context["posts"]
        return [p.text for p in posts if p.text in made]

    assert order("/microblog/city/") == ["最热", "别的街道", "一评一转", "两条评论", "平淡"]
    assert order("/microblog/street/") == ["最热", "一评一转", "两条评论", "平淡"]


@pytest.mark.parametrize("scope,index", [("city", "microblog_discussed"), ("street", "microblog_street_discussed")])
def test_the_feeds_read_the_score_index(scope, index, city, people):
    """The planner reads the posts in the score's order from an index, never a sort of them all."""
    from participation.microblog.views import DISCUSSED_LIMIT

    a1 = city["a1"]
    MicroPost.objects.bulk_create(
        MicroPost(community=a1, street_id=a1.street_id, author=people[0], text=f"第{i}条", discussion_score=i % 5)
        for i in range(300)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE microblog_micropost")
    since = timezone.now() - timedelta(days=7)
    queryset = MicroPost.objects.public().filter(created_at__gte=since).order_by("-discussion_score", "-pk")
    if scope == "street":
        queryset = queryset.filter(street_id=a1.street_id)
    plan = queryset[:DISCUSSED_LIMIT].explain()
    assert index in plan and "TEMP B-TREE" not in plan and "Sort Key" not in plan, plan


def test_a_post_keeps_the_street_of_its_community(city, people):
    a1, c1 = city["a1"], city["c1"]
    mine = post(a1, people[0], "街道")
    assert mine.street_id == a1.street_id
    a1.street = c1.street
    a1.save()  # the community moves to another street: its posts follow
    mine.refresh_from_db()
    assert mine.street_id == c1.street_id


@pytest.mark.parametrize("path", ["/microblog/city/", "/microblog/street/"])
def test_the_feeds_cost_the_same_queries_whatever_the_number_of_posts(path, city, people, host_client):
    client = host_client("a1.localhost", people[0])

    def fill(n, community):
        MicroPost.objects.bulk_create(
            MicroPost(
                community=community,
                street_id=community.street_id,
                author=people[1],
                text=f"第{i}条",
                text_html=f"第{i}条",
                discussion_score=i,
            )
            for i in range(n)
        )

    def queries():
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200
        return len(captured), len(response.context["posts"])

    fill(3, city["a1"])
    few, shown = queries()
    assert shown == 3
    for name in ("a1", "a2", "c1"):
        fill(200, city[name])
    post(city["a2"], people[2], "转发", repost_of=MicroPost.objects.filter(community=city["a1"]).first())
    many, shown = queries()
    assert shown == 50
    assert few == many, (few, many)
