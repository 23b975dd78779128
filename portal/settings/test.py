"""Tests: the same as base, with fast hashing and tasks run at once."""

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
PORTAL_SMS_BACKEND = "portal.accounts.sms.OutboxSMSBackend"
ELASTICSEARCH_REFRESH = "wait_for"  # with ELASTICSEARCH_URL set, a search sees what the test just indexed

# Uploads made by tests go to a folder of their own, removed when the test process ends.
if "MEDIA_ROOT" not in os.environ:  # noqa: F405
    import atexit
    import shutil
    import tempfile

    _test_media = Path(tempfile.mkdtemp(prefix="portal-test-media-"))  # noqa: F405
    atexit.register(shutil.rmtree, _test_media, ignore_errors=True)
    MEDIA_ROOT = _test_media / "media"
    PRIVATE_MEDIA_ROOT = _test_media / "private_media"
