"""Tests: the same as base, with fast hashing and tasks run at once."""

from .base import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# The browser tests' server logs the codes (as `make run` does), so a test can sign up as a person would.
PORTAL_SMS_BACKEND = os.environ.get("PORTAL_TEST_SMS_BACKEND", "portal.accounts.sms.OutboxSMSBackend")  # noqa: F405
ELASTICSEARCH_REFRESH = "wait_for"  # with ELASTICSEARCH_URL set, a search sees what the test just indexed

# The per-process maps are forgotten by every test (tests/conftest.py) and by the signals of what changes
# them; reloading them by age as well would make a query count depend on how slow the machine is (a map
# loaded 59 s earlier reloads between a warm-up request and the measured one). tests/portal/core/
# test_process_maps.py checks the reload by age with it set low.
PORTAL_PROCESS_MAP_MAX_AGE = 24 * 3600.0

# Each pytest-xdist worker (gw0, gw1, ...; "main" without -n) is a process of its own with its own
# test database (pytest-django suffixes the name), and here its own Redis keys and upload folders,
# so that no worker reads or clears what another one uses.
TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: F405
if REDIS_URL:  # noqa: F405
    # The cache clears only keys under its prefix (portal.core.cache); the channel layer's groups are
    # named after database ids, which repeat across workers. Neither prefix starts the other.
    CACHES["default"]["KEY_PREFIX"] = f"test-{TEST_WORKER}-cache"  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"test-{TEST_WORKER}-channels"  # noqa: F405

# Uploads made by tests go to a folder of their own, removed when the test process ends.
if "MEDIA_ROOT" not in os.environ:  # noqa: F405
    import atexit
    import shutil
    import tempfile

    _test_media = Path(tempfile.mkdtemp(prefix=f"portal-test-media-{TEST_WORKER}-"))  # noqa: F405
    atexit.register(shutil.rmtree, _test_media, ignore_errors=True)
    MEDIA_ROOT = _test_media / "media"
    PRIVATE_MEDIA_ROOT = _test_media / "private_media"

# Tests never reach WeChat: its API is a stand-in each test starts; otherwise the discard port refuses.
WECHAT_API_BASE_URL = os.environ.get("WECHAT_API_BASE_URL", "http://127.0.0.1:9")  # noqa: F405
