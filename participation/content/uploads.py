"""Validated image uploads: size and pixel limits, the real type found by decoding, metadata
stripped by re-encoding, and a name chosen by the server."""

import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# Decoded format → (extension, format to re-encode with).
ALLOWED_FORMATS = {"JPEG": ("jpg", "JPEG"), "PNG": ("png", "PNG"), "GIF": ("gif", "GIF"), "WEBP": ("webp", "WEBP")}


def max_bytes() -> int:
    return getattr(settings, "CONTENT_IMAGE_MAX_BYTES", 5 * 1024 * 1024)


def max_pixels() -> int:
    return getattr(settings, "CONTENT_IMAGE_MAX_PIXELS", 16_000_000)


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    extension: str
    width: int
    height: int


@dataclass(frozen=True)
class StoredImage:
    name: str
    url: str
    width: int
    height: int


def _decode(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()  # catches truncated and corrupt files before we decode them fully
        image = Image.open(io.BytesIO(data))
        if image.format not in ALLOWED_FORMATS:
            raise ValidationError(_("Only JPEG, PNG, GIF and WebP images can be uploaded."), code="image_type")
        if image.width * image.height > max_pixels():
            raise ValidationError(_("The image has too many pixels."), code="image_pixels")
        image.load()
        return image
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("This file is not an image we can read."), code="image_invalid") from exc


def _reencode(image: Image.Image) -> tuple[bytes, str]:
    """Writing only the pixels drops EXIF (GPS position, camera serial) and any appended payload."""
    extension, fmt = ALLOWED_FORMATS[image.format]
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue(), extension


def validate_image(uploaded) -> CleanImage:
    """Check an uploaded file and re-encode it, or raise ValidationError with a message for the user."""
    limit = max_bytes()
    if uploaded.size > limit:
        raise ValidationError(
            _("The image is larger than %(mb)s MB.") % {"mb": round(limit / 1048576, 1)}, code="image_size"
        )
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("The image is larger than %(mb)s MB.") % {"mb": round(limit / 1048576, 1)})
    image = _decode(data)
    clean, extension = _reencode(image)
    return CleanImage(data=clean, extension=extension, width=image.width, height=image.height)


def store_image(image: CleanImage, folder: str = "uploads", storage=None) -> StoredImage:
    """Store a validated image under a server-generated name (never the uploader's file name).

    A private `storage` has no public URL: `url` is then empty and a view serves the file."""
    storage = storage or default_storage
    name = storage.save(f"{folder}/{uuid.uuid4().hex}.{image.extension}", ContentFile(image.data))
    url = storage.url(name) if storage is default_storage else ""
    return StoredImage(name=name, url=url, width=image.width, height=image.height)
