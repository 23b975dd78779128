"""Each community's host serves its own home; anything else gets the city portal."""

from wagtail.models import Site

from communities.regions.provisioning import provision_community


def served_page(response):
    """The page a (fresh, uncached) response rendered."""
    assert response.status_code == 200, response.status_code
    assert response.context is not None, "expected a fresh render, got a cached page"
    return response.context["page"]


def test_each_community_host_serves_its_own_home(city, host_client):
    for slug, community in city.items():
        response = host_client(f"{slug}.localhost").get("/")
        assert served_page(response).pk == community.root_page_id
        assert community.name in response.content.decode()


def test_sections_resolve_under_the_community_host(city, host_client):
    a1_notices = city["a1"].root_page.get_children().get(slug="notices")
    b1_notices = city["b1"].root_page.get_children().get(slug="notices")
    assert served_page(host_client("a1.localhost").get("/notices/")).pk == a1_notices.pk
    assert served_page(host_client("b1.localhost").get("/notices/")).pk == b1_notices.pk


def test_host_with_a_port_resolves_like_the_development_server(city, host_client):
    for slug, community in city.items():
        response = host_client(f"{slug}.localhost:8000").get("/")
        assert served_page(response).pk == community.root_page_id


def test_unknown_host_gets_the_city_portal(city, host_client):
    city_home = Site.objects.get(is_default_site=True).root_page_id
    for host in ("nowhere.localhost", "example.org", "10.0.0.1:8000"):
        response = host_client(host).get("/")
        assert response.status_code == 200, host
        assert Site.find_for_request(response.wsgi_request).root_page_id == city_home
        assert "测试市" in response.content.decode()


def test_city_host_serves_the_city_portal_listing_communities(city, host_client):
    """The city's front door does not list every community (issue 20): it leads to every one through
    its district's and street's pages (a street's page lists its communities) and through the finder."""
    client = host_client("localhost")
    response = client.get("/")
    assert served_page(response).specific_class.__name__ == "CityHomePage"
    home = response.content.decode()
    assert 'action="/find/"' in home
    for slug, community in city.items():
        street, district = community.street, community.street.parent
        street_path = f"/{district.page.slug}/{street.page.slug}/"
        assert f'href="/{district.page.slug}/"' in home and f'href="{street_path}"' in home, slug
        street_page = client.get(street_path)
        assert served_page(street_page).pk == street.page.pk
        assert f'<a href="http://{slug}.localhost/">{community.name}</a>' in street_page.content.decode()
        found = client.get("/find/", {"q": community.name})
        assert [c.pk for c in found.context["found"]] == [community.pk]


def test_unknown_path_on_a_community_host_is_404_not_500(city, host_client):
    assert host_client("a1.localhost").get("/no/such/page/").status_code == 404


def test_a_community_with_its_own_hostname(city, host_client):
    own = provision_community("自有域名社区", "own", "street-a", hostname="WWW.Own-Shequ.cn").obj
    assert own.hostname == "www.own-shequ.cn"
    assert served_page(host_client("www.own-shequ.cn").get("/")).pk == own.root_page_id
    # Its default-style hostname was never given to it: that host is just unknown, so the city answers.
    assert served_page(host_client("own.localhost").get("/")).pk != own.root_page_id


def test_every_community_has_one_site_rooted_at_its_home(city):
    for community in city.values():
        site = community.site
        assert site.root_page_id == community.root_page_id
        assert site.hostname == f"{community.slug}.localhost"
        assert not site.is_default_site
    assert Site.objects.get(is_default_site=True).root_page.specific_class.__name__ == "CityHomePage"


def test_the_city_portal_links_community_pages_on_their_own_host(city, host_client):
    from .helpers import add_notice

    notice = add_notice(city["a1"], "甲社区的通知", slug="jia-notice")
    body = host_client("localhost").get("/").content.decode()
    assert 'href="http://a1.localhost/notices/jia-notice/"' in body
    assert 'href="/east/street-a/a1/' not in body
    # On its own host the same page links relatively.
    assert notice.get_url(host_client("a1.localhost").get("/").wsgi_request) == "/notices/jia-notice/"


def test_street_pages_link_community_items_on_their_own_host(city, host_client):
    from .helpers import add_news

    add_news(city["b1"], "乙社区新闻", slug="yi-news")
    body = host_client("localhost").get("/east/street-b/").content.decode()
    assert 'href="http://b1.localhost/news/yi-news/"' in body
