import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from portal.core.admin_scoping import JoinedColumnsMixin

from .models import AuditEntry


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Only "view" exists for audit entries, for everybody, superusers included."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and self.user_has_permission(user, "view")


register_permission_policy(AuditEntry, ReadOnlyPolicy(AuditEntry))


class AuditEntryFilterSet(WagtailFilterSet):
    """Auditors read the whole city: the community is found by (part of) its name, not picked from a
    choice per community (700 radio buttons on every page of the log)."""

    community = django_filters.CharFilter(
        field_name="community__name", lookup_expr="icontains", label=_("Community name contains")
    )

    class Meta:
        model = AuditEntry
        fields = ["what"]


class AuditEntryIndexView(JoinedColumnsMixin, IndexView):
    pass


class AuditEntryViewSet(ModelViewSet):
    """The city's auditors (permission audit.view_auditentry) browse the log; nobody edits it."""

    model = AuditEntry
    index_view_class = AuditEntryIndexView
    icon = "history"
    menu_order = 900
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = []
    list_display = ["at", "actor", "subject", "community", "what", "why"]
    filterset_class = AuditEntryFilterSet
    inspect_view_fields = ["at", "actor", "subject", "community", "what", "why"]


@hooks.register("register_admin_viewset")
def register_viewset():
    return AuditEntryViewSet("audit")
