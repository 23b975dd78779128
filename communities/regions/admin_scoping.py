"""Scoping for Wagtail admin screens over anything that carries a community.

Wagtail's `ModelViewSet.get_queryset` only filters the listing; edit, delete and inspect views look
objects up by primary key and ask the permission policy. So scoping lives in a permission policy
(every view asks it) plus the listing queryset plus the form's community choices, all through
`communities_for`.
"""

from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.permission_policies.base import ModelPermissionPolicy

from .scoping import communities_for, scope_queryset


def community_id_of(instance: Model, field: str):
    """Follow `field` ("community" or "thread__community") to the community's primary key."""
    *path, last = field.split("__")
    for name in path:
        instance = getattr(instance, name, None)
        if instance is None:
            return None
    return getattr(instance, f"{last}_id", None)


class CommunityScopedPermissionPolicy(ModelPermissionPolicy):
    """Django model permissions, and the object's community among those the user may act for."""

    def __init__(self, model, community_field: str = "community", **kwargs):
        super().__init__(model, **kwargs)
        self.community_field = community_field

    def in_scope(self, user, instance) -> bool:
        community_id = community_id_of(instance, self.community_field)
        return community_id is not None and communities_for(user).filter(pk=community_id).exists()

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self.in_scope(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and self.in_scope(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return scope_queryset(self.model._default_manager.all(), user, self.community_field)


class CommunityScopedForm(WagtailAdminModelForm):
    """Offers only the communities the editing user may act for."""

    community_field = "community"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get(self.community_field)
        if field is not None and self.for_user is not None:
            field.queryset = communities_for(self.for_user)


class ScopedIndexViewMixin:
    """An admin listing of only the objects the permission policy lets the user at."""

    def get_base_queryset(self):
        allowed = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["view", "change", "delete"]
        )
        return super().get_base_queryset().filter(pk__in=allowed.values("pk"))


class ScopedObjectViewMixin:
    """Refuse an object outside the user's scope, whatever view (inspect, history, ...) asks."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        allowed = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["view", "change", "delete"]
        )
        if not allowed.filter(pk=obj.pk).exists():
            raise PermissionDenied
        return obj


OBJECT_VIEWS = ["edit", "delete", "inspect", "history", "usage", "copy", "unpublish", "revisions_revert"]


def scoped_view_classes(viewset_class):
    """Class attributes replacing a viewset's listing and object views with scoped ones."""
    attrs = {}
    index = viewset_class.index_view_class
    if not issubclass(index, ScopedIndexViewMixin):
        attrs["index_view_class"] = type(f"Scoped{index.__name__}", (ScopedIndexViewMixin, index), {})
    for name in OBJECT_VIEWS:
        view = getattr(viewset_class, f"{name}_view_class", None)
        if view is not None and not issubclass(view, ScopedObjectViewMixin):
            attrs[f"{name}_view_class"] = type(f"Scoped{view.__name__}", (ScopedObjectViewMixin, view), {})
    return attrs


class CommunityScopedViewSetMixin:
    """Mix into a ModelViewSet / SnippetViewSet whose model has a community foreign key.

    Register the policy too: `register_permission_policy(Model, viewset.permission_policy)`.
    """

    community_field = "community"

    @cached_property
    def permission_policy(self):
        return CommunityScopedPermissionPolicy(self.model, self.community_field)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name, view in scoped_view_classes(cls).items():
            setattr(cls, name, view)
