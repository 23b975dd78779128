"""Bad input gets a clear error and never a 500, and nothing already saved is lost."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from participation.forums.models import Post, Thread
from participation.forums.services import MAX_BODY
from participation.moderation.models import ModerationState

from .helpers import errors, reply, start_thread


@pytest.fixture
def setup(categories, resident, host_client, trusted, city):
    trusted(city["a1"])
    client = host_client("a1.localhost", resident)
    return client, start_thread(client, categories["a1"])


def test_empty_and_whitespace_bodies_are_refused(setup):
    client, thread = setup
    for body in ("", "   \n\t  "):
        response = reply(client, thread, body=body)
        assert response.status_code == 400
        assert "Please write something" in errors(response) or "请写点内容" in errors(response)
    assert Post.objects.filter(thread=thread).count() == 1


def test_huge_body_is_refused_with_its_length(setup):
    client, thread = setup
    response = reply(client, thread, body="长" * (MAX_BODY + 1))
    assert response.status_code == 400
    assert str(MAX_BODY + 1) in errors(response)
    assert Post.objects.filter(thread=thread).count() == 1


def test_broken_markdown_is_stored_and_rendered(setup):
    client, thread = setup
    for body in ("[unclosed](", "```\nno end", "**bold", "> > > >", "|a|\n|-", "<<<>>>", "\\", "&#0;&#xD800;"):
        assert reply(client, thread, body=body).status_code == 302, body
    assert client.get(f"/forum/t/{thread.pk}/").status_code == 200


def test_nul_character_is_refused(setup):
    client, thread = setup
    assert reply(client, thread, body="a\x00b").status_code == 400


def test_reply_to_locked_thread(setup):
    client, thread = setup
    Thread.objects.filter(pk=thread.pk).update(locked=True)
    response = reply(client, thread, body="还能回吗")
    assert response.status_code == 400
    assert errors(response)
    assert Post.objects.filter(thread=thread).count() == 1


def test_reply_to_hidden_thread(setup):
    client, thread = setup
    Thread.objects.filter(pk=thread.pk).update(moderation_state=ModerationState.HIDDEN)
    response = reply(client, thread, body="还能回吗")
    assert response.status_code == 400
    assert errors(response)
    assert client.get(f"/forum/t/{thread.pk}/").status_code == 404


def test_reply_to_missing_post_number(setup):
    client, thread = setup
    response = reply(client, thread, body="回复不存在的楼", reply_to=999)
    assert response.status_code == 400 and errors(response)
    assert reply(client, thread, body="x", quote="abc").status_code == 400


def test_like_on_deleted_post(setup, make_user, host_client):
    client, thread = setup
    reply(client, thread, body="马上删")
    post = Post.objects.get(thread=thread, number=2)
    assert client.post(f"/forum/p/{post.pk}/delete/").status_code == 302
    other = host_client("a1.localhost", make_user())
    response = other.post(f"/forum/p/{post.pk}/like/")
    assert response.status_code == 400
    assert errors(response)
    post.refresh_from_db()
    assert post.like_count == 0 and post.likes.count() == 0


def test_bad_page_and_after_parameters(setup):
    client, thread = setup
    for query in ("?page=abc", "?page=-5", "?page=99999999999999999999", "?page=last", "?page="):
        assert client.get(f"/forum/t/{thread.pk}/{query}").status_code == 200, query
    assert client.get(f"/forum/t/{thread.pk}/after/?after=x").status_code == 400
    assert client.get(f"/forum/t/{thread.pk}/p/999/").status_code == 404
    assert client.get("/forum/t/999999/").status_code == 404
    assert client.get("/forum/c/no-such-category/").status_code == 404


def test_new_thread_without_title_or_with_foreign_category(setup, categories):
    client, _thread = setup
    response = client.post("/forum/new/", {"category": categories["a1"].pk, "title": "  ", "body": "x"})
    assert response.status_code == 400
    response = client.post("/forum/new/", {"category": categories["b1"].pk, "title": "别的社区", "body": "x"})
    assert response.status_code == 400
    assert not Thread.objects.filter(title="别的社区").exists()


def test_a_file_that_is_not_an_image(setup):
    client, thread = setup
    fake = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    response = reply(client, thread, body="看图", image=fake)
    assert response.status_code == 400
    assert errors(response)


def test_an_image_is_reencoded_and_renamed(setup, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client, thread = setup
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="PNG")
    upload = SimpleUploadedFile("../../etc/passwd.png", buffer.getvalue(), content_type="image/png")
    assert reply(client, thread, body="看图", image=upload).status_code == 302
    body = Post.objects.get(thread=thread, number=2).body
    assert "![](/media/forum/" in body and "passwd" not in body


def test_logged_out_posting_goes_to_login(categories, host_client):
    response = host_client("a1.localhost").post("/forum/new/", {"title": "x", "body": "y"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
