from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from communities.regions.scoping import communities_for
from portal.core.navigation import AccountLink, Section, is_community_site

from . import admin_views
from .models import ServiceCategory


class ServiceCategoryViewSet(SnippetViewSet):
    model = ServiceCategory
    icon = "tag"
    menu_label = _("Complaint categories")
    list_display = ["name", "service_code", "group", "department", "deadline_days", "goes_to_city", "retired"]
    list_filter = ["retired", "goes_to_city", "from_city"]
    search_fields = ["name", "service_code", "department"]


register_snippet(ServiceCategoryViewSet)

admin_urls = [
    path("", admin_views.complaint_index, name="index"),
    path("<id:pk>/", admin_views.complaint_detail, name="detail"),
    path("<id:pk>/reveal/", admin_views.reveal_contact, name="reveal"),
    path("<id:pk>/photos/<id:photo_id>/", admin_views.complaint_photo, name="photo"),
    path("<id:pk>/photos/<id:photo_id>/visibility/", admin_views.photo_visibility, name="photo_visibility"),
    path("<id:pk>/duplicates/<id:duplicate_id>/reported/", admin_views.report_duplicate, name="report_duplicate"),
    path("deliveries/", admin_views.delivery_index, name="deliveries"),
    path("city-link/", admin_views.city_link, name="city_link"),
    path("settings/<id:community_id>/", admin_views.community_settings, name="settings"),
]


@hooks.register("register_admin_urls")
def register_complaints_admin_urls():
    return [path("complaints/", include((admin_urls, "complaints_admin")))]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return communities_for(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_complaints_menu_item():
    return StaffMenuItem(_("Complaints"), reverse("complaints_admin:index"), icon_name="warning", order=250)


@hooks.register("register_admin_menu_item")
def register_deliveries_menu_item():
    return StaffMenuItem(
        _("Deliveries to the city"), reverse("complaints_admin:deliveries"), icon_name="mail", order=251
    )


@hooks.register("register_account_menu_item")
def complaints_account_menu(request):
    return AccountLink("complaints", _("My complaints"), reverse("complaints:mine"), 20)


@hooks.register("register_community_section")
def complaints_sections(request, site):
    if not is_community_site(site):
        # the city's own 反光镜: every community's public record
        return Section("mirror", _("Mirror"), reverse("complaints:mirror")) if site.is_default_site else None
    return [
        Section("complaints", _("Tell us"), reverse("complaints:new")),
        Section("mirror", _("Mirror"), reverse("complaints:mirror")),
    ]
