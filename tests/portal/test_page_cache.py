"""The per-site page cache: anonymous GETs are served from it, never a logged-in visitor, purged on publish."""

from django.test import override_settings
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from communities.notices.models import NoticeIndexPage, NoticePage

HIT = "X-Page-Cache"


def get(host_client, host, path="/", user=None, **extra):
    response = host_client(host, user).get(path, **extra)
    assert response.status_code == 200, (host, path, response.status_code)
    return response


def is_hit(response) -> bool:
    return response.get(HIT) == "hit"


def warm(host_client, host, path="/"):
    assert not is_hit(get(host_client, host, path))
    assert is_hit(get(host_client, host, path))


def test_anonymous_second_get_is_a_hit(city, host_client):
    first = get(host_client, "a1.localhost")
    second = get(host_client, "a1.localhost")
    assert not is_hit(first) and first.context is not None
    assert is_hit(second) and second.context is None
    assert second.content == first.content


def test_cache_is_per_site_and_per_path(city, host_client):
    warm(host_client, "a1.localhost")
    assert not is_hit(get(host_client, "b1.localhost"))
    assert not is_hit(get(host_client, "a1.localhost", "/notices/"))
    assert not is_hit(get(host_client, "a1.localhost", "/?page=2"))


def test_elder_mode_is_its_own_variant(city, host_client):
    warm(host_client, "a1.localhost")
    client = host_client("a1.localhost")
    client.cookies["elder_mode"] = "1"
    response = client.get("/")
    assert not is_hit(response)
    assert "elder-mode" in response.content.decode()


def test_a_logged_in_visitor_is_never_served_a_cached_page(city, host_client, make_user):
    warm(host_client, "a1.localhost")
    user = make_user(display_name="王阿姨")
    for _ in range(2):
        response = get(host_client, "a1.localhost", user=user)
        assert not is_hit(response) and response.context is not None
        assert "王阿姨" in response.content.decode()


def test_a_logged_in_render_is_never_stored_for_others(city, host_client, make_user):
    user = make_user(display_name="王阿姨")
    get(host_client, "a1.localhost", user=user)
    get(host_client, "a1.localhost", user=user)
    anonymous = get(host_client, "a1.localhost")
    assert not is_hit(anonymous)
    assert "王阿姨" not in anonymous.content.decode()


def test_preview_requests_are_not_served_from_cache(city, host_client):
    warm(host_client, "a1.localhost")
    assert not is_hit(host_client("a1.localhost").get("/", {"preview": "1"}))


@override_settings(PORTAL_PAGE_CACHE_SECONDS=0)
def test_the_cache_can_be_switched_off(city, host_client):
    get(host_client, "a1.localhost")
    assert not is_hit(get(host_client, "a1.localhost"))


def publish_notice_through_the_admin(admin_client, community, title):
    parent = NoticeIndexPage.objects.child_of(community.root_page).get()
    data = nested_form_data(
        {"title": title, "slug": "fresh", "body": rich_text(f"<p>{title}</p>"), "comments": inline_formset([])}
    )
    data["action-publish"] = "action-publish"
    response = admin_client.post(f"/admin/pages/add/community_notices/noticepage/{parent.pk}/", data)
    assert response.status_code == 302
    return NoticePage.objects.get(title=title)


def test_publishing_in_a_purges_a_and_the_city_but_not_b(city, host_client, admin_client):
    for host in ("a1.localhost", "b1.localhost", "localhost"):
        warm(host_client, host)
    publish_notice_through_the_admin(admin_client, city["a1"], "甲社区刚发布的通知")
    a = get(host_client, "a1.localhost")
    assert not is_hit(a) and "甲社区刚发布的通知" in a.content.decode()
    town = get(host_client, "localhost")
    assert not is_hit(town) and "甲社区刚发布的通知" in town.content.decode()
    b = get(host_client, "b1.localhost")
    assert is_hit(b) and "甲社区刚发布的通知" not in b.content.decode()


def test_unpublishing_and_deleting_purge_too(city, host_client, admin_client):
    notice = publish_notice_through_the_admin(admin_client, city["a1"], "将被撤回的通知")
    warm(host_client, "a1.localhost")
    assert admin_client.post(f"/admin/pages/{notice.pk}/unpublish/").status_code == 302
    response = get(host_client, "a1.localhost")
    assert not is_hit(response) and "将被撤回的通知" not in response.content.decode()
    warm(host_client, "a1.localhost", "/notices/")
    assert admin_client.post(f"/admin/pages/{notice.pk}/delete/").status_code == 302
    assert not is_hit(get(host_client, "a1.localhost", "/notices/"))


def test_editing_site_settings_purges(city, host_client):
    from communities.regions.models import CommunitySettings

    warm(host_client, "a1.localhost")
    settings = CommunitySettings.for_site(city["a1"].site)
    settings.contact_phone = "027-12345678"
    settings.save()
    response = get(host_client, "a1.localhost")
    assert not is_hit(response), "a changed phone number must not wait for the cache to expire"
    assert "027-12345678" in response.content.decode()
