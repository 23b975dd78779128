"""The community microblog: posting through the one decision and the one moderation, the feed, comments,
likes, reposts, #话题# pages, @mentions, the XSS-proof text, and the feed's constant query count."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from PIL import Image

from participation.microblog import services
from participation.microblog.models import MicroComment, MicroLike, MicroPost, bump
from participation.moderation.models import ModerationPolicy, ModerationState, Report, SensitiveWord
from portal.notifications.models import Notification

PUBLISHED = ModerationState.PUBLISHED


def post(community, author, text, **kw):
    return services.create_post(community=community, author=author, text=text, state=PUBLISHED, **kw)


def png(name="a.png"):
    out = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@pytest.fixture
def people(make_user, trusted, city):
    trusted(city["a1"])
    return {"wang": make_user("wang", display_name="老王"), "li": make_user("li", display_name="李阿姨")}


def test_a_resident_posts_with_a_topic_images_and_a_mention(city, people, host_client):
    client = host_client("a1.localhost", people["wang"])
    response = client.post(
        "/microblog/new/",
        {"text": "今天 #垃圾分类# 做得好，@li 一起来看看 <script>alert(1)</script>", "images": [png(), png("b.png")]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    made = MicroPost.objects.get()
    assert made.images.count() == 2
    assert list(made.tags.names()) == ["垃圾分类"]
    assert "<script" not in made.text_html and "&lt;script&gt;" in made.text_html
    assert 'class="hashtag"' in made.text_html and 'class="mention"' in made.text_html
    assert Notification.objects.filter(recipient=people["li"], verb="microblog.mention").exists()
    feed = client.get("/microblog/").content.decode()
    assert "垃圾分类" in feed and "老王" in feed
    tag = host_client("a1.localhost").get("/microblog/tag/垃圾分类/")
    assert tag.status_code == 200 and "老王" in tag.content.decode()
    assert host_client("a1.localhost").get("/microblog/tag/没有/").status_code == 404
    # The link in the post leads to the topic's page (it was percent-encoded twice: a 404).
    link = re.search(r'class="hashtag" href="([^"]+)"', made.text_html).group(1)
    assert host_client("a1.localhost").get(link).status_code == 200, link


def test_post_limits_are_form_errors(city, people, host_client):
    client = host_client("a1.localhost", people["wang"])
    assert client.post("/microblog/new/", {"text": "字" * 501}).status_code == 400
    assert client.post("/microblog/new/", {"text": ""}).status_code == 400
    too_many = client.post("/microblog/new/", {"text": "十张图", "images": [png(f"{n}.png") for n in range(10)]})
    assert too_many.status_code == 400 and "9" in too_many.content.decode()
    assert (
        client.post("/microblog/new/", {"text": "坏图", "images": [SimpleUploadedFile("x.png", b"no")]}).status_code
        == 400
    )
    assert not MicroPost.objects.exists()


def test_a_non_member_is_refused_by_the_one_decision(city, make_user, host_client, people):
    from portal.accounts.models import Membership

    stranger = make_user("stranger")
    Membership.objects.filter(user=stranger).delete()
    response = host_client("a1.localhost", stranger).post("/microblog/new/", {"text": "你好"})
    assert response.status_code == 403
    assert not MicroPost.objects.exists()


def test_the_same_moderation_as_the_forum(city, people, host_client):
    a1 = city["a1"]
    SensitiveWord.objects.create(community=a1, word="禁词", action=SensitiveWord.Action.BLOCK)
    SensitiveWord.objects.create(community=a1, word="待审", action=SensitiveWord.Action.REVIEW)
    client = host_client("a1.localhost", people["wang"])
    blocked = client.post("/microblog/new/", {"text": "这里有禁词"})
    assert blocked.status_code == 400 and "禁词" in blocked.content.decode()
    assert client.post("/microblog/new/", {"text": "这条待审"}).status_code == 302
    held = MicroPost.objects.get()
    assert held.moderation_state == ModerationState.PENDING
    assert "这条待审" not in host_client("a1.localhost").get("/microblog/").content.decode()
    ModerationPolicy.objects.filter(community=a1).update(new_account_posts=5)
    new_links = client.post("/microblog/new/", {"text": "看 https://example.com"})
    assert new_links.status_code == 400  # a new account may not post links
    # Reports hide at the community's threshold, through the one moderation.
    target = post(a1, people["li"], "普通的一条")
    ModerationPolicy.objects.filter(community=a1).update(auto_hide_reports=1)
    assert client.post(f"/microblog/p/{target.pk}/report/", {"reason": "spam"}).status_code == 302
    target.refresh_from_db()
    assert target.moderation_state == ModerationState.HIDDEN and Report.objects.count() == 1


def test_comments_likes_and_reposts(city, people, host_client, make_user):
    a1, b1 = city["a1"], city["b1"]
    original = post(b1, people["li"], "湖边的樱花开了 #春天#")
    client = host_client("a1.localhost", people["wang"])
    # A repost within the city: on 翠园's feed, the original attributed and linked to its own site.
    assert client.post(f"/microblog/p/{original.pk}/repost/", {"text": "转给邻居们"}).status_code == 302
    repost = MicroPost.objects.get(repost_of=original)
    assert repost.community == a1
    page = client.get("/microblog/").content.decode()
    assert "李阿姨" in page and "b1.localhost" in page
    original.refresh_from_db()
    assert original.repost_count == 1
    # A repost of the repost reposts the original.
    other = make_user("zhao")
    again = host_client("a1.localhost", other).post(f"/microblog/p/{repost.pk}/repost/", {})
    assert again.status_code == 302, again.content.decode()
    assert MicroPost.objects.filter(repost_of=original).count() == 2
    # Comments count and notify the author.
    response = client.post(f"/microblog/p/{repost.pk}/comment/", {"text": "好看"})
    assert response.status_code == 302
    repost.refresh_from_db()
    assert repost.comment_count == 1
    # Likes: once per person, by the constraint.
    liker = host_client("a1.localhost", other)
    liker.post(f"/microblog/p/{repost.pk}/like/")
    liker.post(f"/microblog/p/{repost.pk}/like/")
    repost.refresh_from_db()
    assert repost.like_count == 1 and MicroLike.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        MicroLike.objects.create(post=repost, user=other)
    liker.post(f"/microblog/p/{repost.pk}/like/", {"action": "unlike"})
    repost.refresh_from_db()
    assert repost.like_count == 0


def test_workers_post_as_the_community_and_pin(city, people, host_client, make_user):
    a1 = city["a1"]
    worker = make_user("worker", is_staff=True)
    worker.groups.add(a1.editors_group)
    client = host_client("a1.localhost", worker)
    assert client.post("/microblog/new/", {"text": "社区通知：周六义诊", "as_community": "1"}).status_code == 302
    notice = MicroPost.objects.get()
    assert notice.as_community
    # The city portal has no microblog of its own: a 404, in the community's name or not.
    assert (
        host_client("localhost", worker).post("/microblog/new/", {"text": "城市", "as_community": "1"}).status_code
        == 404
    )
    # A resident's "as community" is ignored: they post as themselves.
    host_client("a1.localhost", people["wang"]).post("/microblog/new/", {"text": "我来了", "as_community": "1"})
    assert not MicroPost.objects.get(text="我来了").as_community
    services.set_pinned(notice, True)
    with pytest.raises(services.MicroblogError):
        services.set_pinned(MicroPost.objects.get(text="我来了"), True)
    for n in range(3):
        post(a1, people["li"], f"新的第{n}条")
    page = host_client("a1.localhost").get("/microblog/").content.decode()
    assert page.index("周六义诊") < page.index("新的第2条")  # pinned first, then newest first
    assert page.index("新的第2条") < page.index("新的第0条")


def test_street_and_city_feeds_show_the_most_discussed(city, people, host_client):
    quiet = post(city["a1"], people["wang"], "安静的一条")
    busy = post(city["c1"], people["li"], "热议的一条")
    bump(MicroPost, busy.pk, comment_count=5)  # the score moves with the counter
    page = host_client("a1.localhost").get("/microblog/city/").content.decode()
    assert page.index("热议的一条") < page.index("安静的一条")
    street = host_client("a1.localhost").get("/microblog/street/").content.decode()
    assert "安静的一条" in street and "热议的一条" not in street  # c1 is in another street
    assert quiet.pk


def test_a_residents_page_and_the_home_page(city, people, host_client):
    post(city["a1"], people["wang"], "我的第一条微博")
    page = host_client("a1.localhost").get(f"/microblog/people/{people['wang'].pk}/")
    assert "我的第一条微博" in page.content.decode()
    home = host_client("a1.localhost").get("/")
    assert "我的第一条微博" in home.content.decode()


def test_deleting_and_the_authors_rights(city, people, host_client):
    mine = post(city["a1"], people["wang"], "要删的")
    assert host_client("a1.localhost", people["li"]).post(f"/microblog/p/{mine.pk}/delete/").status_code == 403
    assert host_client("a1.localhost", people["wang"]).post(f"/microblog/p/{mine.pk}/delete/").status_code == 302
    assert host_client("a1.localhost").get(f"/microblog/p/{mine.pk}/").status_code == 404
    comment = services.create_comment(
        post=post(city["a1"], people["li"], "留着"),
        author=people["wang"],
        text="评论",
        state=PUBLISHED,
        community=city["a1"],
    )
    host_client("a1.localhost", people["wang"]).post(f"/microblog/c/{comment.pk}/delete/")
    assert MicroComment.objects.get().deleted_at is not None


def test_the_feed_costs_the_same_queries_whatever_its_length(city, people, host_client):
    a1 = city["a1"]
    client = host_client("a1.localhost", people["wang"])

    def fill(n):
        MicroPost.objects.bulk_create(
            MicroPost(community=a1, author=people["li"], text=f"第{i}条", text_html=f"第{i}条") for i in range(n)
        )

    def queries():
        client.get("/microblog/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/microblog/").status_code == 200
        return len(captured)

    fill(3)
    few = queries()
    fill(300)
    post(
        a1,
        people["li"],
        "有图",
        images=[__import__("participation.content.uploads", fromlist=["x"]).validate_image(png())],
    )
    many = queries()
    assert few == many, (few, many)


def test_the_demo_microblog(city, make_user, host_client):
    from participation.microblog.demo import seed_demo_microblog

    editor = make_user("editor", is_staff=True)
    editor.groups.add(city["a1"].editors_group)
    for name in ("resident", "demo-neighbour", "demo-neighbour-2"):
        make_user(name)
    assert seed_demo_microblog("a1", "b1")
    assert not seed_demo_microblog("a1", "b1")
    feed = host_client("a1.localhost").get("/microblog/").content.decode()
    assert "【社区通知】" in feed and "pinned" in feed and "#垃圾分类#" in feed and "b1.localhost" in feed
    assert MicroPost.objects.filter(community=city["a1"], repost_of__community=city["b1"]).exists()
    assert MicroComment.objects.count() == 3


def test_the_migration_encodes_stored_topic_links_once():
    import importlib

    migration = importlib.import_module("participation.microblog.migrations.0003_topic_links_encoded_once")
    twice = '<a class="hashtag" href="/microblog/tag/%25E5%259E%2583/">#垃#</a> 50%25'
    assert migration._once(twice) == '<a class="hashtag" href="/microblog/tag/%E5%9E%83/">#垃#</a> 50%25'
