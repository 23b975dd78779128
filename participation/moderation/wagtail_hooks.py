from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from portal.core.admin_scoping import CommunityScopedViewSetMixin

from . import admin_views
from .models import ModerationPolicy, SensitiveWord


@hooks.register("register_admin_urls")
def moderation_urls():
    return [
        path("moderation/", admin_views.queue, name="moderation_queue"),
        path("moderation/log/", admin_views.action_log, name="moderation_log"),
        path("moderation/act/<id:type_id>/<id:object_id>/", admin_views.take_action, name="moderation_act"),
    ]


class ModeratorMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.PERMISSION)


@hooks.register("register_admin_menu_item")
def moderation_menu_item():
    return ModeratorMenuItem(_("Moderation"), reverse("moderation_queue"), icon_name="warning", order=250)


class SensitiveWordViewSet(CommunityScopedViewSetMixin, ModelViewSet):
    """Anyone who acts for a community manages its words (there are no model permissions for them)."""

    model = SensitiveWord
    model_permissions = False
    form_fields = ["community", "word", "action"]
    list_display = ["word", "action", "community"]
    list_filter = ["action"]
    icon = "warning"
    name = "sensitive_words"
    add_to_settings_menu = True


class ModerationPolicyViewSet(CommunityScopedViewSetMixin, ModelViewSet):
    model = ModerationPolicy
    model_permissions = False
    form_fields = ["community", "auto_hide_reports", "premoderate_new_accounts", "new_account_posts"]
    list_display = ["community", "auto_hide_reports", "premoderate_new_accounts", "new_account_posts"]
    icon = "cog"
    name = "moderation_policies"
    add_to_settings_menu = True


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [SensitiveWordViewSet(), ModerationPolicyViewSet()]
