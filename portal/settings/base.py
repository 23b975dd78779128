"""Settings shared by every environment.

Everything a deployment changes is read from the environment; see docs/deploy.md.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = False

# The domain under which every community has its own host: <slug>.<PORTAL_BASE_DOMAIN>.
PORTAL_BASE_DOMAIN = os.environ.get("PORTAL_BASE_DOMAIN", "localhost").strip().lower()
# The port community Sites are created with (links between sites carry it when not 80/443).
PORTAL_SITE_PORT = int(os.environ.get("PORTAL_SITE_PORT", "80"))
# The scheme links between sites carry outside a request (tasks, notifications); portal.core.links.
PORTAL_SITE_SCHEME = os.environ.get("PORTAL_SITE_SCHEME", "https" if PORTAL_SITE_PORT == 443 else "http")
ALLOWED_HOSTS = [PORTAL_BASE_DOMAIN, "." + PORTAL_BASE_DOMAIN]
ALLOWED_HOSTS += [h for h in os.environ.get("EXTRA_ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    # Django
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    # Third party
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "portal.accounts.apps.PortalUsersAppConfig",  # wagtail.users, with a scalable group filter
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    # The portal
    "django_otp",
    "django_otp.plugins.otp_totp",
    "portal.accounts",
    "portal.audit",
    "portal.core",
    "portal.search",
    "portal.live",
    "portal.notifications",
    "portal.wechat",
    "portal.api",
    "portal.insights",
    "communities.regions",
    "communities.pages",
    "communities.news",
    "communities.notices",
    "communities.events",
    "communities.services",
    "communities.wechat",
    "participation.polls",
    "communities.organisations",
    "participation.complaints",
    "participation.deliberations",
    "participation.elections",
    "participation.content",
    "participation.moderation",
    "participation.forums",
    "participation.microblog",
    "participation.governance",
    "themes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.accounts.twofactor.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "communities.regions.theming.SiteThemeMiddleware",
    "portal.core.upstream.WagtailBadIdMiddleware",  # narrow: Wagtail's choosers, bulk actions, editing sessions
    # Last, so that a cache hit has passed sessions, language and authentication like any page.
    "portal.core.middleware.PageCacheMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "OPTIONS": {
            # A site's theme folder (themes/templates/<theme>/) first, then every app's templates.
            "loaders": [
                (
                    "themes.loaders.ThemeCachedLoader",
                    ["themes.loaders.ThemeDirectoryLoader", "django.template.loaders.app_directories.Loader"],
                )
            ],
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.core.context_processors.preferences",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"


def database_from_env():
    """DATABASE_URL, or a SQLite file in the project."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # The development server starts a thread per request, where kept connections would only
        # pile up; production settings keep them (a new SQLite connection costs ~3 ms of CPU).
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # IMMEDIATE takes the write lock at BEGIN, so read-then-write transactions
            # (quotas, counters) cannot interleave on SQLite.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        config.setdefault("OPTIONS", {})
    return config


DATABASES = {"default": database_from_env()}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    INSTALLED_APPS.append("django.contrib.postgres")  # full-text search for Wagtail's database backend
else:
    # An index's INCLUDE columns (index-only scans on PostgreSQL) are simply left out on SQLite, which
    # is what a development city wants; the warning would otherwise open every manage.py command.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "portal"),
        }
    }
    # channels_redis reads a channel with BZPOPMIN and a 5 s timeout; redis-py's own socket timeout is
    # 5 s too, so a busy process's read timed out on the socket first and the consumer was closed
    # with 1011. The socket timeout must stay well above the 5 s the server may take to answer.
    CHANNEL_LAYER_SOCKET_TIMEOUT = float(os.environ.get("CHANNEL_LAYER_SOCKET_TIMEOUT", "30"))
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": CHANNEL_LAYER_SOCKET_TIMEOUT}],
                "prefix": os.environ.get("CHANNEL_PREFIX", "portal"),
                # Messages a channel may hold before a send is refused: a relay (portal/live) reads
                # one channel per group and process, so a burst of pushes must not fill it.
                "capacity": 1000,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["portal.accounts.backends.PhoneOrUsernameBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Identity layer (portal.accounts): see the accounts checks for what production must set.
# The verification-code channel: a class with send(phone, text).
DEV_SMS_BACKEND = "portal.accounts.sms.LoggingSMSBackend"  # writes codes to the log: development only
PORTAL_SMS_BACKEND = os.environ.get("PORTAL_SMS_BACKEND", DEV_SMS_BACKEND)
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
PORTAL_SMS_COOLDOWN_SECONDS = int(os.environ.get("PORTAL_SMS_COOLDOWN_SECONDS", "60"))
PORTAL_SMS_MAX_PER_IP_PER_HOUR = int(os.environ.get("PORTAL_SMS_MAX_PER_IP_PER_HOUR", "20"))
# Key of the ID-number fingerprints; changing it orphans every stored fingerprint.
DEV_ID_HASH_SECRET = "dev-only-id-hash-secret-do-not-use-in-production"
ID_HASH_SECRET = os.environ.get("ID_HASH_SECRET", DEV_ID_HASH_SECRET)
PORTAL_LOGIN_MAX_FAILURES_PER_ACCOUNT = int(os.environ.get("PORTAL_LOGIN_MAX_FAILURES_PER_ACCOUNT", "5"))
PORTAL_LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("PORTAL_LOGIN_MAX_FAILURES_PER_IP", "30"))
PORTAL_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("PORTAL_LOGIN_LOCKOUT_SECONDS", "900"))
# Retention (days) of verification codes and of stored IP addresses; purged by purge_personal_data.
PORTAL_VERIFICATION_CODE_RETENTION_DAYS = int(os.environ.get("PORTAL_VERIFICATION_CODE_RETENTION_DAYS", "7"))
PORTAL_IP_RETENTION_DAYS = int(os.environ.get("PORTAL_IP_RETENTION_DAYS", "30"))
# Which communities a staff user may act for. portal never imports communities; the composition
# point (these settings) names the one scoping function.
PORTAL_STAFF_COMMUNITIES = "communities.regions.scoping.communities_for"
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Community portal")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# One login for every community host.
SESSION_COOKIE_DOMAIN = os.environ.get("SESSION_COOKIE_DOMAIN") or (
    None if PORTAL_BASE_DOMAIN == "localhost" else "." + PORTAL_BASE_DOMAIN
)
CSRF_COOKIE_DOMAIN = SESSION_COOKIE_DOMAIN
CSRF_TRUSTED_ORIGINS = [f"https://{PORTAL_BASE_DOMAIN}", f"https://*.{PORTAL_BASE_DOMAIN}"]
LANGUAGE_COOKIE_DOMAIN = SESSION_COOKIE_DOMAIN

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_collected"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Files only their owner and authorised staff may see (complaint photos): never under MEDIA_URL,
# served by views that check who asks (or by a signed, expiring URL).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", MEDIA_ROOT.parent / "private_media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

WAGTAIL_SITE_NAME = _("Community portal")
# Page slugs are ASCII: a Chinese title gets a short pinyin (or dated) slug (portal.core.slugs), never
# a percent-encoded one.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", f"http://{PORTAL_BASE_DOMAIN}")
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_USER_LOGIN_FORM = "portal.accounts.forms.AdminLoginForm"  # its password field has a label
# Wagtail's database backend (portal.search tunes its title norms for a big index); "simple" keeps
# PostgreSQL from stemming the pre-segmented Chinese words. See docs/architecture.md, "Search".
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "portal.search.backends.database", "SEARCH_CONFIG": "simple"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAIL_ENABLE_UPDATE_CHECK = False

ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
# The alias the portal searches; rebuilds create "<alias>-<timestamp>" indices behind it.
ELASTICSEARCH_INDEX = os.environ.get("ELASTICSEARCH_INDEX", "portal-search")
ELASTICSEARCH_TIMEOUT = float(os.environ.get("ELASTICSEARCH_TIMEOUT", "10"))
# "wait_for": writes return once searchable (tests); empty: Elasticsearch's refresh interval (production).
ELASTICSEARCH_REFRESH = os.environ.get("ELASTICSEARCH_REFRESH", "")
# Longest query a visitor may type (characters); longer ones are cut, with a message.
SEARCH_MAX_QUERY_LENGTH = int(os.environ.get("SEARCH_MAX_QUERY_LENGTH", "100"))
# The database engine reads at most this many matches of a search: their facet counts, their total
# and the relevance order among them; beyond it the page says "1,000+" (Elasticsearch has no cap).
SEARCH_CANDIDATES = int(os.environ.get("SEARCH_CANDIDATES", "1000"))

# Model permissions each community's groups get when it is provisioned. What they reach is still
# scoped to their own community by the admin screens (see communities.regions.scoping).
PORTAL_EDITOR_PERMISSIONS = [
    # community workers: residents' memberships and addresses
    "accounts.view_membership",
    "accounts.change_membership",
    "accounts.reveal_personal_data",
    "accounts.view_home",
    "accounts.change_home",
    "accounts.view_building",
    "accounts.add_building",
    "accounts.change_building",
    # what the community asks before a resident may act on its site (portal.accounts.actions)
    "accounts.change_actionrule",
    # deliberations: topics, their options, voter registers, comments, implementation updates
    "deliberations.add_topic",
    "deliberations.change_topic",
    "deliberations.view_topic",
    "deliberations.add_option",
    "deliberations.change_option",
    "deliberations.delete_option",
    "deliberations.add_voterregister",
    "deliberations.change_voterregister",
    "deliberations.delete_voterregister",
    "deliberations.view_voterregister",
    "deliberations.view_comment",
    "deliberations.change_comment",
    "deliberations.add_implementationupdate",
    "deliberations.change_implementationupdate",
    "deliberations.view_implementationupdate",
    # elections: the workflow, committee nominations, voter lists and their objections, paper ballots
    "elections.add_election",
    "elections.change_election",
    "elections.view_election",
    "elections.add_post",
    "elections.change_post",
    "elections.delete_post",
    "elections.add_candidate",
    "elections.change_candidate",
    "elections.view_candidate",
    "elections.view_voterlistentry",
    "elections.change_voterlistentry",
    "elections.view_objection",
    "elections.change_objection",
    # polls: moderating free-text answers
    "polls.view_answer",
    "polls.change_answer",
    # search: the community terms the segmenter keeps whole
    "regions.view_searchterm",
    "regions.add_searchterm",
    "regions.change_searchterm",
    "regions.delete_searchterm",
    # WeChat: their community's Official Account (secrets write-only) and its keyword replies
    "wechat.add_account",
    "wechat.change_account",
    "wechat.view_account",
    "wechat.add_keywordreply",
    "wechat.change_keywordreply",
    "wechat.delete_keywordreply",
    "wechat.view_keywordreply",
    "wechat.add_messagetemplate",
    "wechat.change_messagetemplate",
    "wechat.delete_messagetemplate",
    "wechat.view_messagetemplate",
]
PORTAL_MODERATOR_PERMISSIONS = [
    "polls.view_answer",
    "polls.change_answer",
    "deliberations.view_comment",
    "deliberations.change_comment",
    "moderation.moderate",
]

# Forums and moderation (participation.forums, participation.moderation, participation.content).
FORUM_EDIT_WINDOW_MINUTES = int(os.environ.get("FORUM_EDIT_WINDOW_MINUTES", "30"))
FORUM_READ_TRACKING_DAYS = int(os.environ.get("FORUM_READ_TRACKING_DAYS", "30"))
# Anonymous readers share cached thread pages for this long (seconds); any change to the thread renews them.
FORUM_PAGE_CACHE_SECONDS = int(os.environ.get("FORUM_PAGE_CACHE_SECONDS", "60"))
CONTENT_IMAGE_MAX_BYTES = int(os.environ.get("CONTENT_IMAGE_MAX_BYTES", str(5 * 1024 * 1024)))
CONTENT_IMAGE_MAX_PIXELS = int(os.environ.get("CONTENT_IMAGE_MAX_PIXELS", "16000000"))
# Live updates: at most this many WebSocket messages per second to each watcher of a group; faster
# pushes are merged into the next message (the last state is always sent). At 6 the wait for the
# next message (under 167 ms) plus the fan-out to 1,000 watchers stays within the 250 ms goal.
LIVE_MAX_PUSHES_PER_SECOND = int(os.environ.get("LIVE_MAX_PUSHES_PER_SECOND", "6"))

# Each process keeps maps of the sites, the communities' places and the WeChat accounts, reloaded when the
# shared generation moves; with a cache that is not shared (local memory) they are also reloaded after this
# many seconds, so that another process's change is seen in the end.
PORTAL_PROCESS_MAP_MAX_AGE = float(os.environ.get("PORTAL_PROCESS_MAP_MAX_AGE", "60"))
# How long a rendered public page may be served from the per-site page cache (seconds).
PORTAL_PAGE_CACHE_SECONDS = int(os.environ.get("PORTAL_PAGE_CACHE_SECONDS", "300"))

# Maps (docs/frontend.md). The city's box, WGS84 "min_lon,min_lat,max_lon,max_lat": boundaries must lie in
# it and maps open on it (the default is around the demo city). Tiles: an XYZ URL of the city's own tile
# server ("https://tiles.example.gov.cn/{z}/{x}/{y}.png"); empty draws boundaries and points on a plain ground.
PORTAL_CITY_BOUNDS = [float(v) for v in os.environ.get("PORTAL_CITY_BOUNDS", "113.7,29.97,115.08,31.36").split(",")]
PORTAL_MAP_TILE_URL = os.environ.get("PORTAL_MAP_TILE_URL", "")
PORTAL_MAP_TILE_ATTRIBUTION = os.environ.get("PORTAL_MAP_TILE_ATTRIBUTION", "")
# The largest region boundary accepted (serialised GeoJSON, bytes).
PORTAL_BOUNDARY_MAX_BYTES = int(os.environ.get("PORTAL_BOUNDARY_MAX_BYTES", "500000"))

# The city's event system (Open311 GeoReport v2); see docs/open311.md.
OPEN311 = {
    "url": os.environ.get("OPEN311_URL", ""),
    "api_key": os.environ.get("OPEN311_API_KEY", ""),
    "jurisdiction_id": os.environ.get("OPEN311_JURISDICTION_ID", ""),
    "format": os.environ.get("OPEN311_FORMAT", "json"),
    "lookup_by_portal_id": os.environ.get("OPEN311_LOOKUP_BY_PORTAL_ID", "") == "1",
    # Comma-separated: "window" (standard GET requests, matching our marker) and/or "portal_id" (extension).
    "lookups": os.environ.get("OPEN311_LOOKUPS") or None,
    "window_margin": float(os.environ.get("OPEN311_WINDOW_MARGIN_SECONDS", "600")),
    "window_status": os.environ.get("OPEN311_WINDOW_STATUS", ""),
    "timeout": float(os.environ.get("OPEN311_TIMEOUT", "10")),
}
# Per-district overrides, keyed by district slug: {"east": {"url": ..., "api_key": ...}} as JSON.
OPEN311_DISTRICTS = json.loads(os.environ.get("OPEN311_DISTRICTS", "{}"))
OPEN311_PUSH_SECRET = os.environ.get("OPEN311_PUSH_SECRET", "")
# Complaint photos reach the city as signed URLs: this long, from this base (empty: the community's site).
COMPLAINTS_PHOTO_URL_MAX_AGE_DAYS = float(os.environ.get("COMPLAINTS_PHOTO_URL_MAX_AGE_DAYS", "30"))
COMPLAINTS_MEDIA_BASE_URL = os.environ.get("COMPLAINTS_MEDIA_BASE_URL", "")
# The delivery engine's policy (read in one place, participation.complaints.conf.delivery_policy, and
# checked against safe bounds at start-up; docs/open311.md).
OPEN311_MAX_ATTEMPTS = int(os.environ.get("OPEN311_MAX_ATTEMPTS", "24"))
OPEN311_MAX_AGE_HOURS = float(os.environ.get("OPEN311_MAX_AGE_HOURS", "48"))  # dead-letter age
OPEN311_LEASE_SECONDS = int(os.environ.get("OPEN311_LEASE_SECONDS", "120"))
OPEN311_BACKOFF_BASE_SECONDS = float(os.environ.get("OPEN311_BACKOFF_BASE_SECONDS", "60"))
OPEN311_BACKOFF_CAP_SECONDS = float(os.environ.get("OPEN311_BACKOFF_CAP_SECONDS", str(6 * 3600)))
OPEN311_BATCH_SIZE = int(os.environ.get("OPEN311_BATCH_SIZE", "50"))
# Who receives the daily digest of stuck deliveries (comma-separated e-mail addresses).
OPEN311_DIGEST_RECIPIENTS = [a for a in os.environ.get("OPEN311_DIGEST_RECIPIENTS", "").split(",") if a]

# WeChat Official Accounts (portal.wechat; docs/wechat.md).
# Fernet keys that encrypt the accounts' secrets at rest, newest first (comma-separated); the
# development key is refused by `check --deploy`.
DEV_WECHAT_SECRET_KEY = "ZGV2LW9ubHktd2VjaGF0LWtleS1kby1ub3QtdXNlISE="
WECHAT_SECRET_KEYS = [k for k in os.environ.get("WECHAT_SECRET_KEYS", DEV_WECHAT_SECRET_KEY).split(",") if k]
# Where WeChat's servers reach the portal: the callback URL shown in the admin starts with this.
WECHAT_CALLBACK_BASE_URL = os.environ.get("WECHAT_CALLBACK_BASE_URL", WAGTAILADMIN_BASE_URL)
# WeChat's API (a stand-in or a staging proxy in tests and the demo).
WECHAT_API_BASE_URL = os.environ.get("WECHAT_API_BASE_URL", "https://api.weixin.qq.com")
WECHAT_API_TIMEOUT = float(os.environ.get("WECHAT_API_TIMEOUT", "5"))
WECHAT_MAX_BODY_BYTES = int(os.environ.get("WECHAT_MAX_BODY_BYTES", str(64 * 1024)))
WECHAT_TIMESTAMP_WINDOW_SECONDS = int(os.environ.get("WECHAT_TIMESTAMP_WINDOW_SECONDS", "300"))
# How long a message id is remembered, so that WeChat's retries (3 within ~15 s) are handled once.
WECHAT_DEDUP_SECONDS = int(os.environ.get("WECHAT_DEDUP_SECONDS", "300"))
# the admin's "last message received" of an account is written at most this often
WECHAT_LAST_MESSAGE_SECONDS = int(os.environ.get("WECHAT_LAST_MESSAGE_SECONDS", "30"))
# A follower's dialogue with the bot (a complaint by message) ends after this long without an answer.
WECHAT_DIALOGUE_SECONDS = int(os.environ.get("WECHAT_DIALOGUE_SECONDS", "1800"))
# Where WeChat's OAuth web authorisation starts (the browser is sent to <this>oauth2/authorize); a
# stand-in elsewhere. The code exchange and userinfo go to WECHAT_API_BASE_URL.
WECHAT_OAUTH_BASE_URL = os.environ.get("WECHAT_OAUTH_BASE_URL", "https://open.weixin.qq.com/connect/")
# Template messages: tries before giving up, and the first wait (doubled each time).
WECHAT_SEND_ATTEMPTS = int(os.environ.get("WECHAT_SEND_ATTEMPTS", "4"))
WECHAT_SEND_BACKOFF_SECONDS = float(os.environ.get("WECHAT_SEND_BACKOFF_SECONDS", "30"))

# The API (portal/api, docs/api.md): requests per client address on the read API, per partner key on the
# Open311 server (each key also has its own limit, set in the admin); the daily open-data exports.
PORTAL_API_RATE = os.environ.get("PORTAL_API_RATE", "120/m")
PORTAL_API_MAX_AGE = int(os.environ.get("PORTAL_API_MAX_AGE", "30"))
NINJA_NUM_PROXIES = 0  # the client address is REMOTE_ADDR; a proxy in front sets it (never X-Forwarded-For)
OPEN_DATA_ROOT = Path(os.environ.get("OPEN_DATA_ROOT", str(BASE_DIR / "open_data")))
OPEN_DATA_LICENCE = os.environ.get("OPEN_DATA_LICENCE", "CC-BY-4.0")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "wagtail": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}
