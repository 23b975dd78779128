from participation.forums.models import Post, Thread

from .helpers import reply, start_thread


def test_thread_and_reply_are_served_on_the_community_site(categories, resident, host_client, trusted, city):
    trusted(city["a1"])
    client = host_client("a1.localhost", resident)
    thread = start_thread(client, categories["a1"], body="**你好** 邻居")
    response = reply(client, thread, body="欢迎")
    assert response.status_code == 302
    page = client.get(f"/forum/t/{thread.pk}/").content.decode()
    assert "<strong>你好</strong>" in page and "欢迎" in page
    thread.refresh_from_db()
    assert (thread.reply_count, thread.last_number) == (1, 2)
    assert list(Post.objects.filter(thread=thread).values_list("number", flat=True).order_by("number")) == [1, 2]


def test_forum_is_404_on_the_city_site(categories, host_client):
    assert host_client("localhost").get("/forum/").status_code == 404


def test_forum_in_community_navigation(city, host_client):
    page = host_client("a1.localhost").get("/").content.decode()
    assert 'href="/forum/"' in page


def test_thread_of_another_community_is_404(categories, resident, host_client, trusted, city):
    trusted(city["a1"])
    thread = start_thread(host_client("a1.localhost", resident), categories["a1"])
    assert host_client("b1.localhost", resident).get(f"/forum/t/{thread.pk}/").status_code == 404
    assert Thread.objects.count() == 1
