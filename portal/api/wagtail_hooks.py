"""Admin: partners' API keys (issued, limited, revoked), scoped to the communities a user acts for."""

from django.contrib import messages
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet

from portal.core.admin_scoping import CommunityScopedViewSetMixin

from . import keys
from .models import ApiKey


class ApiKeyCreateView(CreateView):
    def save_instance(self):
        """Issue the key: its hash is stored, the key itself is shown once in the success message."""
        instance = self.form.save(commit=False)
        self.plain_key = keys.set_secret(instance)
        instance.created_by = self.request.user
        instance.save()
        self.form.save_m2m()
        return instance

    def get_success_message(self, instance):
        return _("API key issued for %(partner)s: %(key)s (copy it now: it is not shown again).") % {
            "partner": instance.partner,
            "key": self.plain_key,
        }

    def form_valid(self, form):
        response = super().form_valid(form)
        storage = messages.get_messages(self.request)
        storage.used = False  # keep the message with the key for the listing page
        return response


class ApiKeyViewSet(CommunityScopedViewSetMixin, ModelViewSet):
    """Keys are revoked (set the revoked date), never deleted: the complaints they filed keep naming them."""

    model = ApiKey
    community_field = "communities"
    forbidden_actions = ("delete",)
    icon = "key"
    menu_label = _("API keys")
    menu_order = 900
    add_to_settings_menu = True
    add_view_class = ApiKeyCreateView
    list_display = ["partner", "prefix", "requests_per_minute", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["partner", "prefix"]
    form_fields = ["partner", "communities", "requests_per_minute", "revoked_at"]


api_key_viewset = ApiKeyViewSet("api_keys")


@hooks.register("register_admin_viewset")
def register_api_keys():
    return api_key_viewset
