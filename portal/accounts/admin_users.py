"""Wagtail's user admin, with a group filter that does not grow with the city.

Every community brings its own groups (editors, moderators), so Wagtail's filter of a checkbox per group
was 1,400 checkboxes at 700 communities on every visit to Settings › Users. Here the group filter is a
search on the group's name (a community's name finds its groups), whatever the number of groups.
"""

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.users.views.users import UserFilterSet, UserViewSet


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
