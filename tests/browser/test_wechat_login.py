"""WeChat login on 翠园's site through a real browser, with the stand-in playing WeChat's authorize page:
binding once (after the portal login), then silent login; a tampered `state` is refused."""

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from communities.regions.demo import DEMO_PASSWORD

HOST = "cuiyuan.localhost"
OPENID = "oBrowserModerator"


def test_binding_then_silent_login_then_a_tampered_state(portal_server, browser, wechat_standin):
    wechat_standin.oauth_openid = OPENID
    login = portal_server.url(HOST, "/wechat-auth/login/?next=/notices/")

    first = browser.new_context(locale="zh-CN")
    page = first.new_page()
    page.goto(login)
    assert urlsplit(page.url).path == "/wechat-auth/bind/"  # unbound: the page offers binding
    page.locator("#login-to-bind").click()
    page.locator("#id_username").fill("moderator")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/wechat-auth/bind/")
    page.locator("#bind-wechat").click()
    page.wait_for_url("**/notices/")
    first.close()
    (bound,) = portal_server.query(
        "select u.username from wechat_binding b join accounts_user u on u.id = b.user_id where b.openid = ?", OPENID
    )
    assert bound == ("moderator",)

    second = browser.new_context(locale="zh-CN")  # another browser inside WeChat: logged in silently
    page = second.new_page()
    page.goto(login)
    assert urlsplit(page.url).path == "/notices/"
    page.goto(portal_server.url(HOST, "/wechat-auth/bindings/"))
    assert urlsplit(page.url).path == "/wechat-auth/bindings/"  # not sent to the login page
    second.close()

    third = browser.new_context(locale="zh-CN")
    page = third.new_page()
    # Start the login without following WeChat's redirect (Playwright's request API resolves names outside
    # Chromium, so it asks 127.0.0.1 with the site's Host), then hand its session cookie to the browser.
    site = urlsplit(login)
    started = page.request.get(
        f"http://127.0.0.1:{portal_server.port}{site.path}?{site.query}", headers={"Host": site.netloc}, max_redirects=0
    )
    session = [dict(c, domain=HOST, path="/") for c in third.cookies() if c["name"] == "sessionid"]
    assert session, "the site kept no session for the login"
    third.add_cookies([{"name": c["name"], "value": c["value"], "url": portal_server.url(HOST)} for c in session])
    authorize = urlsplit(started.headers["location"])
    query = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    query["state"] = "forged-" + query["state"]
    response = page.goto(urlunsplit(authorize._replace(query=urlencode(query))))
    assert response.status == 400  # WeChat sent the browser back with a state the session does not hold
    assert urlsplit(page.url).path == "/wechat-auth/callback/"
    third.close()
