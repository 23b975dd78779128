from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from portal.accounts.scoping import staff_communities

from . import admin_views


@hooks.register("register_admin_urls")
def register_search_urls():
    return [path("search-everything/", admin_views.staff_search, name="portal_search_staff")]


class StaffSearchMenuItem(MenuItem):
    def is_shown(self, request):
        return staff_communities(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_search_menu_item():
    return StaffSearchMenuItem(_("Search everything"), reverse("portal_search_staff"), icon_name="search", order=110)
