from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from portal.accounts.scoping import staff_communities

from . import mapview, views

admin_urls = [
    path("", views.index, name="index"),
    path("items/", views.items, name="items"),
    path("map/", mapview.map_page, name="map"),
    path("language/", views.language, name="language"),
]


@hooks.register("register_admin_urls")
def register_insights_admin_urls():
    return [path("insights/", include((admin_urls, "insights_admin")))]


class InsightsMenuItem(MenuItem):
    def is_shown(self, request):
        return staff_communities(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_insights_menu_item():
    return InsightsMenuItem(_("Insights"), reverse("insights_admin:index"), icon_name="table", order=240)
