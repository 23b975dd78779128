"""Development: DEBUG on, SQLite and in-memory layers unless the environment says otherwise."""

import os

from .base import *  # noqa: F403

DEBUG = True
PORTAL_SITE_PORT = int(os.environ.get("PORTAL_SITE_PORT", "8000"))
PORTAL_SITE_SCHEME = os.environ.get("PORTAL_SITE_SCHEME", "http")
ALLOWED_HOSTS = ["*"]
INTERNAL_IPS = ["127.0.0.1"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# The demo's WeChat API is the stand-in `make run` starts (manage.py wechat_standin).
WECHAT_API_BASE_URL = os.environ.get("WECHAT_API_BASE_URL", "http://127.0.0.1:8190")
WECHAT_CALLBACK_BASE_URL = os.environ.get("WECHAT_CALLBACK_BASE_URL", f"http://127.0.0.1:{PORTAL_SITE_PORT}")
WECHAT_OAUTH_BASE_URL = os.environ.get("WECHAT_OAUTH_BASE_URL", WECHAT_API_BASE_URL.rstrip("/") + "/connect/")
