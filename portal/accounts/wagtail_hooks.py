from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSetGroup

from portal.audit.log import record

from .admin_views import (
    RULES_PERMISSION,
    BuildingViewSet,
    HomeViewSet,
    MembershipViewSet,
    participation_rules,
    participation_rules_index,
    reveal_membership,
)


class ResidentsMenu(ModelViewSetGroup):
    menu_label = gettext_lazy("Residents")
    menu_icon = "group"
    menu_order = 300
    items = (MembershipViewSet("memberships"), BuildingViewSet("buildings"), HomeViewSet("homes"))


@hooks.register("register_admin_viewset")
def register_viewsets():
    return ResidentsMenu()


@hooks.register("register_admin_urls")
def register_reveal_url():
    return [
        path("memberships/<id:pk>/reveal/", reveal_membership, name="accounts_membership_reveal"),
        path("participation-rules/", participation_rules_index, name="accounts_participation_rules_index"),
        path("participation-rules/<id:community_id>/", participation_rules, name="accounts_participation_rules"),
    ]


class RulesMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(RULES_PERMISSION)


@hooks.register("register_settings_menu_item")
def participation_rules_menu_item():
    return RulesMenuItem(
        gettext_lazy("Participation rules"), reverse("accounts_participation_rules_index"), icon_name="group", order=320
    )


@hooks.register("before_edit_user")
def audit_staff_view_of_account(request, user):
    """Opening a resident's account in Wagtail's user editor shows personal data: log it."""
    if request.method == "GET" and user != request.user:
        record(request.user, user, "view account in admin user editor")
