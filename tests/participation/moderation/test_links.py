"""The moderation queue's "view" link follows the port the admin is served on (issue 19)."""

from tests.participation.forums.helpers import start_thread


def test_queue_links_to_the_content_on_the_served_port(categories, make_user, host_client, trusted, city, settings):
    settings.PORTAL_SITE_PORT = 8000  # the port the content's link was built with outside the request
    trusted(city["a1"])
    thread = start_thread(
        host_client("a1.localhost", make_user("troll")), categories["a1"], title="标题", body="难听的话"
    )
    post = thread.posts.get(number=1)
    assert (
        host_client("a1.localhost", make_user("reporter"))
        .post(f"/forum/p/{post.pk}/report/", {"reason": "abuse", "note": "请处理"})
        .status_code
        == 302
    )
    boss = make_user("boss", is_staff=True, is_superuser=True)
    html = host_client("localhost:8171", boss).get("/admin/moderation/").content.decode()
    assert f'href="http://a1.localhost:8171{post.get_absolute_url()}"' in html
    assert "a1.localhost:8000" not in html
