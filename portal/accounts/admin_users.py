"""Wagtail's user admin, with a group filter and a group field that do not grow with the city.

Every community brings its own groups (editors, moderators), so Wagtail's filter of a checkbox per group
was 1,400 checkboxes at 700 communities on every visit to Settings › Users, and its user form as many.
Here the group filter is a search on the group's name (a community's name finds its groups), and the
form's groups are their names, one a line, whatever the number of groups.
"""

import re

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserFilterSet, UserViewSet


class GroupNamesInput(forms.Textarea):
    """Groups as their names, one a line (names are unique and may hold spaces), instead of a checkbox per
    group; with the field's `to_field_name="name"`, an unknown name is a form error naming it."""

    help_text = _("One group name a line, as in Settings › Groups (search there by a community's name).")

    def __init__(self):
        super().__init__(attrs={"rows": 4})

    def format_value(self, value):
        if not value:
            return ""
        return "\n".join(str(item) for item in (value if isinstance(value, (list, tuple)) else [value]))

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name) or ""]
        return [line.strip() for value in values for line in re.split(r"[\r\n]+", str(value or "")) if line.strip()]

    def value_omitted_from_data(self, data, files, name):
        return False  # an empty box means "no group"


class GroupsByNameMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("groups")
        if field is None:
            return
        field.to_field_name, field.widget = "name", GroupNamesInput()
        field.help_text = GroupNamesInput.help_text


class PortalUserCreationForm(GroupsByNameMixin, UserCreationForm):
    pass


class PortalUserEditForm(GroupsByNameMixin, UserEditForm):
    pass


class ScalableUserFilterSet(UserFilterSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["group"] = django_filters.CharFilter(label=_("Group name contains"), method="filter_group_name")

    def filter_group_name(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        members = get_user_model().objects.filter(groups__name__icontains=value).values("pk")
        return queryset.filter(pk__in=members)


class PortalUserViewSet(UserViewSet):
    filterset_class = ScalableUserFilterSet

    def get_form_class(self, for_update=False):
        return PortalUserEditForm if for_update else PortalUserCreationForm
