"""我的帖子: a resident's posts in every community, linked on their own site (issue 19)."""

from tests.participation.forums.helpers import reply, start_thread


def test_my_posts_lists_posts_of_every_community_with_links_to_their_sites(
    categories, make_user, host_client, trusted, city
):
    trusted(city["a1"])
    trusted(city["b1"])
    me, other = make_user("me"), make_user("other")
    mine_a = start_thread(host_client("a1.localhost", me), categories["a1"], title="甲社区的帖子", body="内容一")
    theirs = start_thread(host_client("b1.localhost", other), categories["b1"], title="乙社区的帖子", body="别人的")
    reply(host_client("b1.localhost", me), theirs, body="我的回复")
    start_thread(host_client("a1.localhost", other), categories["a1"], title="不是我的", body="别人的内容")

    html = host_client("b1.localhost:8171", me).get("/forum/mine/").content.decode()
    assert "甲社区的帖子" in html and "乙社区的帖子 #2" in html and "不是我的" not in html
    assert f'href="http://a1.localhost:8171/forum/t/{mine_a.pk}/p/1/"' in html
    assert f'href="/forum/t/{theirs.pk}/p/2/"' in html  # this site's own post: a relative link
    assert "社区a1" in html and "社区b1" in html


def test_my_posts_on_the_city_site_and_empty(make_user, host_client, city):
    response = host_client("localhost", make_user("quiet")).get("/forum/mine/")
    assert response.status_code == 200
    assert "您还没有发过帖子" in response.content.decode()  # the empty state says what to do next


def test_a_like_notifies_the_author_once(categories, make_user, host_client, trusted, city):
    from portal.notifications.models import Notification

    trusted(city["a1"])
    author, fan = make_user("author", display_name="老张"), make_user("fan", display_name="小李")
    thread = start_thread(host_client("a1.localhost", author), categories["a1"], title="修自行车", body="谁会修")
    post = thread.posts.get(number=1)
    fan_client = host_client("a1.localhost", fan)
    assert fan_client.post(f"/forum/p/{post.pk}/like/").status_code == 302
    note = Notification.objects.get(recipient=author, verb="forum.like")
    assert "小李" in note.text and "修自行车" in note.text and note.url.endswith(f"/forum/t/{thread.pk}/p/1/")
    fan_client.post(f"/forum/p/{post.pk}/like/", {"action": "unlike"})  # liking again does not tell twice
    fan_client.post(f"/forum/p/{post.pk}/like/")
    assert Notification.objects.filter(recipient=author, verb="forum.like").count() == 1
