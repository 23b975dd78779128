from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal.core import admin_sitewide, preferences
from portal.core.sitemaps import sitemap
from portal.core.views import favicon, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("feeds/", include("communities.pages.urls")),
    # Wagtail's site-history and page-types reports, scoped to the user's communities (same paths, first).
    path("admin/", include(admin_sitewide.urlpatterns)),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("portal.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("preferences/elder-mode/", preferences.elder_mode, name="elder_mode"),
    path("preferences/language/", preferences.language, name="language"),
    path("search/", include("portal.search.urls")),
    path("api/v1/", include("portal.api.urls", namespace="api")),
    path("open311/v2/", include("portal.api.open311_urls")),
    path("", include("participation.complaints.urls")),
    path("deliberations/", include("participation.deliberations.urls")),
    path("elections/", include("participation.elections.urls")),
    path("notifications/", include("portal.notifications.urls")),
    path("wechat/", include("portal.wechat.urls")),
    path("wechat-auth/", include("portal.wechat.auth_urls")),
    # Served on community sites only (the views 404 on the city site); before Wagtail's catch-all.
    path("forum/", include("participation.forums.urls")),
    path("microblog/", include("participation.microblog.urls")),
    path("governance/", include("participation.governance.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

handler400 = "portal.core.errors.bad_request"
