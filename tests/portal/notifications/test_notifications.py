import pytest

from portal.notifications.models import Notification
from portal.notifications.services import mark_all_read, notify, unread_count


@pytest.mark.django_db
def test_recorded_once_per_key(make_user):
    user = make_user()
    assert notify(user, "forum.reply", "有人回复了你", url="/forum/t/1/p/2/", key="forum.post.2")
    assert not notify(user, "forum.reply", "有人回复了你", url="/forum/t/1/p/2/", key="forum.post.2")
    assert notify(user, "forum.reply", "另一条", key="forum.post.3")
    assert Notification.objects.filter(recipient=user).count() == 2
    assert unread_count(user) == 2
    assert mark_all_read(user) == 2 and unread_count(user) == 0


@pytest.mark.django_db
def test_inactive_users_are_not_notified(make_user):
    user = make_user(is_active=False)
    assert not notify(user, "x", "y", key="k")


@pytest.mark.django_db
def test_notification_page_needs_login_and_shows_only_mine(make_user, host_client):
    me, other = make_user(), make_user()
    notify(other, "x", "别人的通知", key="a")
    notify(me, "x", "我的通知", key="b")
    assert host_client("localhost").get("/notifications/").status_code == 302
    html = host_client("localhost", me).get("/notifications/").content.decode()
    assert "我的通知" in html and "别人的通知" not in html
