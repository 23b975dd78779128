"""WeChat login (OAuth web authorisation) against the stand-in's authorize page and code exchange, and the
resident's bindings. (The browser test of the same flow is tests/browser/test_wechat_login.py.)"""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from portal.accounts import rights
from portal.wechat.models import Account, Binding

HOST = "a1.localhost"


@pytest.fixture
def service(make_account, standin, settings):
    settings.WECHAT_OAUTH_BASE_URL = standin.url + "/connect/"
    return make_account(kind=Account.Kind.SERVICE)


def through_wechat(client, standin, login_path="/wechat-auth/login/?next=/notices/", state=None):
    """The browser's trip: the site sends it to WeChat's authorize page, which sends it back with a code."""
    to_wechat = client.get(login_path)
    assert to_wechat.status_code == 302 and to_wechat["Location"].startswith(standin.url + "/connect/oauth2/authorize")
    url = to_wechat["Location"].split("#")[0]
    if state is not None:
        url = url.replace("state=", f"state={state}")
    back = requests.get(url, allow_redirects=False, timeout=10)
    assert back.status_code == 302
    parts = urlsplit(back.headers["Location"])
    return client.get(parts.path, parse_qs(parts.query) and {k: v[0] for k, v in parse_qs(parts.query).items()})


def test_binding_once_then_silent_login(service, standin, host_client, make_user):
    resident = make_user("oauthresident")
    visitor = host_client(HOST)
    answer = through_wechat(visitor, standin)
    assert answer.status_code == 302 and answer["Location"] == "/wechat-auth/bind/"
    page = visitor.get("/wechat-auth/bind/")
    assert "/accounts/login/?next=/wechat-auth/bind/" in page.content.decode()  # asks for the portal login
    visitor.force_login(resident)
    bound = visitor.post("/wechat-auth/bind/")
    assert bound.status_code == 302 and bound["Location"] == "/notices/"
    binding = Binding.objects.get()
    assert (binding.account, binding.openid, binding.user) == (service, standin.oauth_openid, resident)

    stranger = host_client(HOST)  # a new browser in WeChat: logged in silently
    assert through_wechat(stranger, standin)["Location"] == "/notices/"
    assert stranger.get("/notifications/").status_code == 200
    assert int(stranger.session["_auth_user_id"]) == resident.pk


def test_a_tampered_or_missing_state_is_refused(service, standin, host_client):
    visitor = host_client(HOST)
    assert through_wechat(visitor, standin, state="forged").status_code == 400
    assert visitor.get("/wechat-auth/callback/?code=x&state=y").status_code == 400  # no state in the session
    assert not Binding.objects.exists()


def test_profile_and_unionid_make_one_person_across_communities(make_account, service, standin, host_client, make_user):
    other = make_account("b1", app_id="wx00000000000000b1", kind=Account.Kind.SERVICE)
    standin.apps[other.app_id] = other.app_secret
    resident = make_user("unionresident")
    standin.oauth_unionid = "uPerson1"
    Binding.objects.create(account=other, openid="oInB1", unionid="uPerson1", user=resident)
    visitor = host_client(HOST)
    assert through_wechat(visitor, standin, "/wechat-auth/login/?profile=1")["Location"] == "/"
    binding = Binding.objects.get(account=service)
    assert binding.user == resident and binding.nickname == standin.oauth_nickname


def test_the_resident_sees_removes_exports_and_loses_bindings(service, host_client, make_user):
    resident = make_user("bindingowner")
    binding = Binding.objects.create(account=service, openid="oMine", user=resident)
    client = host_client(HOST, resident)
    assert service.name in client.get("/wechat-auth/bindings/").content.decode()
    client.post(f"/wechat-auth/bindings/{binding.pk}/messages/", {})
    binding.refresh_from_db()
    assert binding.notifications is False
    assert rights.personal_data(resident)["wechat_bindings"][0]["openid"] == "oMine"
    assert client.post(f"/wechat-auth/bindings/{binding.pk}/remove/").status_code == 302
    assert not Binding.objects.exists()
    someone_else = host_client(HOST, make_user("other"))
    again = Binding.objects.create(account=service, openid="oMine", user=resident)
    assert someone_else.post(f"/wechat-auth/bindings/{again.pk}/remove/").status_code == 404
    rights.delete_account(resident)
    assert not Binding.objects.exists()  # account deletion removes them
