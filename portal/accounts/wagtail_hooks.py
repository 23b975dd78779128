from django.urls import path
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSetGroup

from portal.audit.log import record

from .admin_views import (
    BuildingViewSet,
    HomeViewSet,
    MembershipViewSet,
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
    return [path("memberships/<id:pk>/reveal/", reveal_membership, name="accounts_membership_reveal")]


@hooks.register("before_edit_user")
def audit_staff_view_of_account(request, user):
    """Opening a resident's account in Wagtail's user editor shows personal data: log it."""
    if request.method == "GET" and user != request.user:
        record(request.user, user, "view account in admin user editor")
