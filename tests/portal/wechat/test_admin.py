"""The admin of WeChat accounts and keyword replies: scoped to a worker's communities, secrets
write-only, the callback URL shown."""

import pytest
from django.db import connection

from portal.wechat.models import Account, KeywordReply

from .conftest import SECRET, TOKEN, new_aes_key

ACCOUNTS = "/admin/wechat_accounts/"
KEYWORDS = "/admin/wechat_keywords/"


@pytest.fixture
def worker(city, make_user):
    user = make_user(is_staff=True)
    user.groups.add(city["a1"].editors_group)
    return user


@pytest.fixture
def client_of(host_client, worker):
    return host_client("localhost", worker)


def account_form(community, **overrides):
    data = {
        "community": community.pk,
        "name": "翠园公众号",
        "app_id": "wx00000000000000aa",
        "kind": "service",
        "mode": "safe",
        "new_app_secret": "",
        "new_token": "",
        "new_aes_key": "",
        "welcome_text": "欢迎",
    }
    data.update(overrides)
    return data


def test_secrets_are_encrypted_at_rest_and_readable_in_memory(make_account):
    account = make_account()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT app_secret_encrypted, token_encrypted, aes_key_encrypted FROM wechat_account WHERE id = %s",
            [account.pk],
        )
        stored = " ".join(cursor.fetchone())
    assert SECRET not in stored and TOKEN not in stored and account.aes_key not in stored
    fresh = Account.objects.get(pk=account.pk)
    assert (fresh.app_secret, fresh.token) == (SECRET, TOKEN)


def test_a_rotated_key_still_reads_old_secrets(make_account, settings):
    from cryptography.fernet import Fernet

    from portal.wechat import secrets

    account = make_account()
    old_ciphertext = account.token_encrypted
    settings.WECHAT_SECRET_KEYS = [Fernet.generate_key().decode(), *settings.WECHAT_SECRET_KEYS]
    assert Account.objects.get(pk=account.pk).token == TOKEN  # the old key still decrypts
    rotated = secrets.rotate(old_ciphertext)
    settings.WECHAT_SECRET_KEYS = settings.WECHAT_SECRET_KEYS[:1]  # the old key dropped
    assert secrets.decrypt(rotated) == TOKEN
    with pytest.raises(secrets.SecretUnreadable):
        secrets.decrypt(old_ciphertext)


def test_worker_creates_an_account_with_secrets_that_are_never_shown_again(city, client_of):
    aes_key = new_aes_key()
    response = client_of.post(
        ACCOUNTS + "new/",
        account_form(city["a1"], new_app_secret="s" * 32, new_token="tok3n", new_aes_key=aes_key),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account = Account.objects.get()
    assert (account.app_secret, account.token, account.aes_key) == ("s" * 32, "tok3n", aes_key)
    page = client_of.get(ACCOUNTS + f"edit/{account.pk}/").content.decode()
    assert "s" * 32 not in page and "tok3n" not in page and aes_key not in page
    assert account.callback_url() in page and "/wechat/a1/" in page

    # saving with the secret fields empty keeps them
    assert client_of.post(ACCOUNTS + f"edit/{account.pk}/", account_form(city["a1"], name="改名")).status_code == 302
    account.refresh_from_db()
    assert account.name == "改名" and account.token == "tok3n" and account.aes_key == aes_key


def test_bad_secrets_are_form_errors(city, client_of):
    response = client_of.post(ACCOUNTS + "new/", account_form(city["a1"], new_token="has space", new_aes_key="short"))
    assert response.status_code == 200
    assert not Account.objects.exists()
    body = response.content.decode()
    assert "43" in body  # the EncodingAESKey's error names its length


def test_worker_sees_and_edits_only_own_communities_accounts(city, client_of, make_account):
    own = make_account("a1")
    other = make_account("b1", app_id="wx00000000000000bb")
    listing = client_of.get(ACCOUNTS).content.decode()
    assert own.name in listing and other.name not in listing
    assert client_of.get(ACCOUNTS + f"edit/{own.pk}/").status_code == 200
    for view in ("edit", "inspect", "delete"):
        assert client_of.get(ACCOUNTS + f"{view}/{other.pk}/").status_code in (302, 403, 404)
    client_of.post(ACCOUNTS + f"edit/{other.pk}/", account_form(city["b1"], name="被改了"))
    other.refresh_from_db()
    assert other.name != "被改了"
    # nor can an account be created for another community
    response = client_of.post(ACCOUNTS + "new/", account_form(city["b1"], app_id="wx00000000000000cc"))
    assert response.status_code == 200 and not Account.objects.filter(app_id="wx00000000000000cc").exists()


def page_links(*pages):
    """The keyword form's `page_links` formset (Wagtail's MultipleChooserPanel), one chosen page a row."""
    data = {
        "page_links-TOTAL_FORMS": str(len(pages)),
        "page_links-INITIAL_FORMS": "0",
        "page_links-MIN_NUM_FORMS": "0",
        "page_links-MAX_NUM_FORMS": "1000",
    }
    for i, page in enumerate(pages):
        data.update(
            {f"page_links-{i}-page": str(page.pk), f"page_links-{i}-ORDER": str(i + 1), f"page_links-{i}-id": ""}
        )
    return data


def test_keyword_replies_link_only_own_pages(city, client_of):
    data = {"community": city["a1"].pk, "keyword": "首页", "match": "exact", "reply_text": ""}
    foreign = client_of.post(KEYWORDS + "new/", {**data, **page_links(city["b1"].root_page)})
    assert foreign.status_code == 200 and not KeywordReply.objects.exists()
    assert list(foreign.context["form"].formsets["page_links"].forms[0].errors) == ["page"]
    empty = client_of.post(KEYWORDS + "new/", {**data, **page_links()})
    assert empty.status_code == 200 and empty.context["form"].non_field_errors()
    assert client_of.post(KEYWORDS + "new/", {**data, **page_links(city["a1"].root_page)}).status_code == 302
    reply = KeywordReply.objects.get()
    assert [link.page_id for link in reply.page_links.all()] == [city["a1"].root_page_id]


def test_the_keyword_form_offers_pages_through_a_chooser_not_every_page(city, client_of):
    """The links were a select of every page in scope (9,253 options at 700 communities): now a page
    chooser per link, so the form's size does not depend on the number of pages."""
    form = client_of.get(KEYWORDS + "new/").content.decode()
    assert "page_links-TOTAL_FORMS" in form
    assert f'<option value="{city["a1"].root_page_id}"' not in form


def test_the_inspect_view_shows_the_callback_url(make_account, client_of):
    account = make_account("a1")
    page = client_of.get(ACCOUNTS + f"inspect/{account.pk}/").content.decode()
    assert "/wechat/a1/" in page
