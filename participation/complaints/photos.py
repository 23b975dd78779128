"""Complaint photos: stored privately, shown to the resident and staff, to the public only where allowed,
and to the city through signed, expiring URLs (Open311 `media_url`)."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from participation.content.uploads import CleanImage, store_image
from portal.core.links import site_url

from .models import ComplaintPhoto, private_storage
from .states import PUBLIC_STATES_EXCLUDED

SIGNING_SALT = "complaints.photo"
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}


def save_photos(complaint, images: list[CleanImage]) -> list[ComplaintPhoto]:
    photos = []
    for position, image in enumerate(images):
        stored = store_image(image, folder=f"complaints/{complaint.reference}", storage=private_storage)
        photos.append(
            ComplaintPhoto.objects.create(
                complaint=complaint, image=stored.name, width=stored.width, height=stored.height, position=position
            )
        )
    return photos


def content_type(photo: ComplaintPhoto) -> str:
    return CONTENT_TYPES.get(photo.image.name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def url_max_age() -> timedelta:
    return timedelta(days=float(settings.COMPLAINTS_PHOTO_URL_MAX_AGE_DAYS))


def sign(photo: ComplaintPhoto) -> str:
    return signing.dumps(photo.pk, salt=SIGNING_SALT)


def unsign(token: str) -> int:
    """The photo id of a token; raises signing.SignatureExpired or signing.BadSignature."""
    return int(signing.loads(token, salt=SIGNING_SALT, max_age=url_max_age()))


def signed_url(photo: ComplaintPhoto) -> str:
    """An absolute URL the city can fetch without logging in, valid for COMPLAINTS_PHOTO_URL_MAX_AGE_DAYS."""
    base = settings.COMPLAINTS_MEDIA_BASE_URL.rstrip("/") or site_url(photo.complaint.community.site)
    return base + reverse("complaints:signed_photo", kwargs={"token": sign(photo)})


def is_public(photo: ComplaintPhoto) -> bool:
    complaint = photo.complaint
    return complaint.public and complaint.state not in PUBLIC_STATES_EXCLUDED and not photo.hidden_from_public
