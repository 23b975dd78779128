"""Wagtail ModelViewSets whose rows belong to a community: listing, editing and choices go through
`communities.regions.scoping`, so staff only ever see and pick the communities they act for."""

from django.contrib.auth import get_user_model
from django.forms import modelform_factory
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from communities.regions.scoping import communities_for, scope_queryset


def scoped_rows(queryset, user):
    """Rows of the communities `user` acts for; superusers also see rows without a community (city-wide)."""
    return queryset if user.is_superuser else scope_queryset(queryset, user)


class CommunityStaffPolicy(BasePermissionPolicy):
    """Anyone who acts for a community may manage that community's rows, and only those.

    `denied_actions` ("add", "delete", ...) are refused to everyone on this screen."""

    def __init__(self, model, denied_actions=()):
        super().__init__(model)
        self.denied_actions = set(denied_actions)

    def user_has_permission(self, user, action):
        if action in self.denied_actions:
            return False
        return user.is_active and (user.is_superuser or communities_for(user).exists())

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        return get_user_model().objects.filter(is_active=True, is_superuser=True)

    def user_has_permission_for_instance(self, user, action, instance):
        if action in self.denied_actions:
            return False
        return scoped_rows(self.model._default_manager.filter(pk=instance.pk), user).exists()

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        return scoped_rows(self.model._default_manager.all(), user)


class CommunityScopedForm(WagtailAdminModelForm):
    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        field = self.fields.get("community")
        if field is not None and for_user is not None:
            field.queryset = communities_for(for_user)
            field.required = not for_user.is_superuser


class _Scoped:
    def get_queryset(self):
        return scoped_rows(self.model._default_manager.all(), self.request.user)


class ScopedIndexView(generic.IndexView):
    def get_base_queryset(self):
        return scoped_rows(super().get_base_queryset(), self.request.user)


class ScopedEditView(_Scoped, generic.EditView):
    pass


class ScopedDeleteView(_Scoped, generic.DeleteView):
    pass


class CommunityScopedViewSet(ModelViewSet):
    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    """Register `CommunityStaffPolicy` for the model (wagtail.permissions.register_permission_policy) too."""

    add_to_admin_menu = False

    def get_form_class(self, for_update=False):
        return modelform_factory(
            self.model, form=CommunityScopedForm, formfield_callback=self.formfield_for_dbfield, fields=self.form_fields
        )
