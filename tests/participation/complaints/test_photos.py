"""Complaint photos: validated on the form, stored privately, shown only to whom they belong, and
fetched by the city over HTTP through signed, expiring URLs."""

import io
import urllib.error
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from participation.complaints import cases, delivery
from participation.complaints.models import Complaint, ComplaintPhoto, ComplaintSettings, Outbox
from participation.content.uploads import validate_image

from .conftest import png_upload
from .test_pages import form_data


def submit_with_photos(client, categories, photos, **overrides):
    return client.post("/complaints/new/", {**form_data(categories, **overrides), "photos": photos})


@pytest.fixture
def with_photos(city, categories, make_user):
    """with_photos(count=1, **fields) -> a submitted complaint in a1 with `count` photos."""

    def make(count=1, **fields):
        values = {
            "community": city["a1"],
            "reporter": make_user(),
            "category": categories["noise"],
            "kind": Complaint.Kind.HAZARD,
            "description": "路灯损坏。",
            "address": "甲街道1号",
            "public": True,
        }
        images = [validate_image(png_upload(colour=c)) for c in ["red", "green", "blue", "white"][:count]]
        return cases.submit(photos=images, **{**values, **fields})

    return make


def test_photos_are_stored_privately_and_shown_to_the_resident(host_client, make_user, city, categories, media_dirs):
    public_root, private_root = media_dirs
    resident = make_user()
    client = host_client("a1.localhost", resident)
    response = submit_with_photos(
        client, categories, [png_upload("front-door.png"), png_upload("night.jpg", fmt="JPEG")]
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    photos = list(complaint.photos.all())
    assert [p.position for p in photos] == [0, 1]
    for photo in photos:
        assert (private_root / photo.image.name).exists()
        assert "front-door" not in photo.image.name and "night" not in photo.image.name, "the server names the file"
    assert not public_root.exists() or not any(public_root.rglob("*.*")), "nothing under the public media root"

    page = client.get(response["Location"]).text
    url = f"/complaints/{complaint.reference}/photos/{photos[1].pk}/"
    assert f'src="{url}"' in page
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"].startswith("private")
    assert Image.open(io.BytesIO(b"".join(served.streaming_content))).format == "JPEG"


def test_only_the_resident_and_the_communitys_staff_see_the_photos(host_client, make_user, city, with_photos):
    complaint = with_photos(public=False)
    url = f"/complaints/{complaint.reference}/photos/{complaint.photos.get().pk}/"
    worker = make_user()
    worker.groups.add(city["a1"].editors_group)
    other_worker = make_user()
    other_worker.groups.add(city["b1"].editors_group)
    assert host_client("a1.localhost", complaint.reporter).get(url).status_code == 200
    assert host_client("a1.localhost", worker).get(url).status_code == 200
    assert host_client("a1.localhost", other_worker).get(url).status_code == 404
    assert host_client("a1.localhost", make_user()).get(url).status_code == 404
    assert host_client("a1.localhost").get(url).status_code == 404


@pytest.mark.parametrize(
    ("make_photos", "message"),
    [
        (lambda: [png_upload(f"p{i}.png") for i in range(10)], "up to 9 photos; you chose 10"),
        (lambda: [png_upload("big.png", size=(100, 100), noise=True)], "big.png: The image is larger than"),
        (
            lambda: [png_upload("ok.png"), SimpleUploadedFile("fake.jpg", b"<?php echo 1; ?>", "image/jpeg")],
            "fake.jpg: This file is not an image we can read.",
        ),
    ],
    ids=["too many", "oversized", "not an image"],
)
def test_bad_photos_get_a_clear_error_and_keep_what_was_typed(
    host_client, make_user, city, categories, settings, media_dirs, make_photos, message
):
    settings.LANGUAGE_CODE = "en"
    settings.CONTENT_IMAGE_MAX_BYTES = 2000
    client = host_client("a1.localhost", make_user())
    uploads = make_photos()
    response = submit_with_photos(client, categories, uploads, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert Complaint.objects.count() == 0 and ComplaintPhoto.objects.count() == 0
    assert not media_dirs[1].exists() or not any(media_dirs[1].rglob("*.*")), "no photo was kept"
    assert message in " ".join(response.context["form"].errors["photos"])
    assert "井盖缺失，夜里很危险。" in response.text and "甲街道3号楼前" in response.text
    assert response.context["photos_to_choose_again"] == [u.name for u in uploads]
    assert "choose these photos again" in response.text


def test_other_errors_name_the_photos_to_choose_again(host_client, make_user, city, categories):
    client = host_client("a1.localhost", make_user())
    response = submit_with_photos(client, categories, [png_upload("门口.png")], category="")
    assert response.status_code == 200 and "category" in response.context["form"].errors
    assert "photos" not in response.context["form"].errors
    assert "请重新选择以下照片" in response.text and "门口.png" in response.text


def test_mirror_shows_photos_of_public_cases_unless_a_worker_hid_them(host_client, make_user, with_photos):
    worker = make_user()
    shown = with_photos(count=2)
    cases.accept(shown, worker)
    waiting = with_photos()
    private = with_photos(public=False)
    cases.accept(private, worker)
    hidden, visible = shown.photos.all()
    hidden.hidden_from_public = True
    hidden.save()

    page = host_client("a1.localhost").get("/mirror/").text
    assert f'src="/mirror/photos/{visible.pk}/"' in page
    assert f"/mirror/photos/{hidden.pk}/" not in page
    anyone = host_client("localhost")
    assert anyone.get(f"/mirror/photos/{visible.pk}/").status_code == 200
    for photo in (hidden, waiting.photos.get(), private.photos.get()):
        assert anyone.get(f"/mirror/photos/{photo.pk}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_city_fetches_every_photo_over_http_from_signed_urls(
    live_server, fake_city, point_at, settings, with_photos, make_user
):
    settings.COMPLAINTS_MEDIA_BASE_URL = live_server.url
    server = fake_city(fetch_media=True)
    point_at(server)
    complaint = with_photos(count=3)
    cases.accept(complaint, make_user())
    delivery.escalate(complaint)  # committed: the (immediate) task delivers at once
    assert Outbox.objects.get(complaint=complaint).state == Outbox.State.DELIVERED

    (request,) = server.requests
    fields = request.fields
    all_urls = fields["attribute[photo_urls]"].split()
    assert len(all_urls) == 3 and fields["media_url"] == all_urls[0]
    assert all(url.startswith(live_server.url + "/complaints/photos/") for url in all_urls)
    stored = [p.image.open("rb").read() for p in complaint.photos.all()]
    assert [request.media[url] for url in all_urls] == [(200, data) for data in stored]


def fetch_status(url):
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.django_db(transaction=True)
def test_a_tampered_or_expired_signature_is_refused(live_server, settings, with_photos):
    from participation.complaints.photos import signed_url

    settings.COMPLAINTS_MEDIA_BASE_URL = live_server.url
    photo = with_photos().photos.get()
    url = signed_url(photo)
    assert fetch_status(url) == 200
    token = url.rstrip("/").rsplit("/", 1)[1]
    other_id = url.replace(token, token.replace(token[0], "B" if token[0] != "B" else "C", 1))
    assert fetch_status(other_id) == 404
    assert fetch_status(url.replace(token, token[:-2] + ("aa" if token[-2:] != "aa" else "bb"))) == 404
    assert fetch_status(live_server.url + "/complaints/photos/not-a-token/") == 404
    settings.COMPLAINTS_PHOTO_URL_MAX_AGE_DAYS = -1
    assert fetch_status(url) == 403


def test_an_anonymous_complaint_with_consent_sends_the_phone_but_no_account_details(
    host_client, categories, city, fake_city, point_at, make_user
):
    ComplaintSettings.objects.create(community=city["a1"], allow_anonymous=True)
    server = fake_city()
    point_at(server)
    data = form_data(categories, contact_preference="phone", contact_phone="13912345678", share_contact_with_city="on")
    assert host_client("a1.localhost").post("/complaints/new/", data).status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.reporter is None and complaint.share_contact_with_city
    cases.accept(complaint, make_user())
    delivery.escalate(complaint)
    delivery.process_due(now=timezone.now())
    assert Outbox.objects.get().state == Outbox.State.DELIVERED
    fields = server.posts[0]["fields"]
    assert fields["phone"] == "13912345678" and "email" not in fields
    assert "media_url" not in fields, "no photos, no media_url"


def test_do_not_contact_me_keeps_contact_details_from_the_city(fake_city, point_at, escalated, make_user):
    server = fake_city()
    point_at(server)
    escalated(
        reporter=make_user(email="resident@example.org"),
        contact_preference=Complaint.Contact.NONE,
        contact_phone="13912345678",
        share_contact_with_city=True,
    )
    delivery.process_due(now=timezone.now())
    fields = server.posts[0]["fields"]
    assert "phone" not in fields and "email" not in fields


def test_a_signed_in_resident_who_agreed_shares_phone_and_email(fake_city, point_at, escalated, make_user):
    server = fake_city()
    point_at(server)
    escalated(
        reporter=make_user(email="resident@example.org"),
        contact_preference=Complaint.Contact.PHONE,
        contact_phone="13912345678",
        share_contact_with_city=True,
    )
    delivery.process_due(now=timezone.now())
    fields = server.posts[0]["fields"]
    assert (fields["phone"], fields["email"]) == ("13912345678", "resident@example.org")


def test_a_photo_whose_file_is_gone_is_a_404_not_a_500(host_client, with_photos, media_dirs):
    complaint = with_photos()
    photo = complaint.photos.get()
    (media_dirs[1] / photo.image.name).unlink()
    client = host_client("a1.localhost", complaint.reporter)
    assert client.get(f"/complaints/{complaint.reference}/photos/{photo.pk}/").status_code == 404
