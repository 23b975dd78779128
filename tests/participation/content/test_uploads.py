import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from participation.content.uploads import store_image, validate_image


def image_bytes(fmt="PNG", size=(20, 10), exif=None, mode="RGB"):
    buffer = io.BytesIO()
    image = Image.new(mode, size, "blue")
    if exif is not None:
        image.save(buffer, format=fmt, exif=exif)
    else:
        image.save(buffer, format=fmt)
    return buffer.getvalue()


def upload(data, name="x.png"):
    return SimpleUploadedFile(name, data, content_type="image/png")


def test_jpeg_metadata_is_stripped():
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    exif[0x8825] = {2: (39.0, 54.0, 0.0)}  # GPS
    original = image_bytes("JPEG", exif=exif.tobytes())
    assert b"SecretCamera" in original
    clean = validate_image(upload(original, "p.jpg"))
    assert clean.extension == "jpg" and b"SecretCamera" not in clean.data
    assert not Image.open(io.BytesIO(clean.data)).getexif()


def test_type_is_decided_by_decoding_not_by_name():
    clean = validate_image(upload(image_bytes("GIF"), "photo.png"))
    assert clean.extension == "gif"
    for data in (b"GIF89a<script>alert(1)</script>", b"%PDF-1.4", b"", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20):
        with pytest.raises(ValidationError):
            validate_image(upload(data))


def test_bitmap_and_svg_are_refused():
    with pytest.raises(ValidationError):
        validate_image(upload(image_bytes("BMP"), "x.bmp"))
    with pytest.raises(ValidationError):
        validate_image(upload(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "x.svg"))


def test_size_and_pixel_limits(settings):
    settings.CONTENT_IMAGE_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="MB"):
        validate_image(upload(image_bytes("PNG", size=(300, 300), mode="RGB") + b"\x00" * 2000))
    settings.CONTENT_IMAGE_MAX_BYTES = 5_000_000
    settings.CONTENT_IMAGE_MAX_PIXELS = 100
    with pytest.raises(ValidationError):
        validate_image(upload(image_bytes("PNG", size=(20, 20))))


def test_stored_under_a_server_generated_name(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    stored = store_image(validate_image(upload(image_bytes(), "../../evil name.php.png")), folder="t")
    assert stored.name.startswith("t/") and stored.name.endswith(".png")
    assert "evil" not in stored.name and (tmp_path / stored.name).exists()
    assert (stored.width, stored.height) == (20, 10)
