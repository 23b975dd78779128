def test_community_home_served_on_its_host(city, host_client):
    response = host_client("a1.localhost").get("/")
    assert response.status_code == 200
    assert "社区a1" in response.content.decode()


def test_unknown_host_gets_city_portal(city, host_client):
    response = host_client("nowhere.localhost").get("/")
    assert response.status_code == 200
    assert "测试市" in response.content.decode()
