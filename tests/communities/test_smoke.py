def test_community_home_served_on_its_host(city, host_client):
    response = host_client("a1.localhost").get("/")
    assert response.status_code == 200
    assert "社区a1" in response.content.decode()


def test_unknown_host_gets_city_portal(city, host_client):
    response = host_client("nowhere.localhost").get("/")
    assert response.status_code == 200
    assert "测试市" in response.content.decode()


def test_community_pages_link_to_their_own_host_from_the_city(city, host_client):
    # The city's front door leads to a community through its finder and its street's page (issue 20).
    client = host_client("localhost")
    assert 'action="/find/"' in client.get("/").content.decode()
    for path, query in (("/find/", {"q": "社区a1"}), ("/east/street-a/", {})):
        body = client.get(path, query).content.decode()
        assert 'href="http://a1.localhost/"' in body, path


def test_community_reached_through_city_tree_redirects_to_its_host(city, host_client):
    response = host_client("localhost").get("/east/street-a/a1/notices/?page=2")
    assert response.status_code == 301
    assert response["Location"] == "http://a1.localhost/notices/?page=2"


def test_notice_url_is_on_the_community_host(city):
    from communities.notices.models import NoticePage

    home = city["a1"].root_page.specific
    index = home.get_children().get(slug="notices")
    notice = index.add_child(instance=NoticePage(title="停水通知", slug="water", body="<p>x</p>"))
    assert notice.full_url == "http://a1.localhost/notices/water/"
